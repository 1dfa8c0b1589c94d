import type { ValueSet } from 'fhir/r4';
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function buildValueSets(_o: unknown): ValueSet[] {
  return [];
}
