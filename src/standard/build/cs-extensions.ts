import type { CodeSystem } from 'fhir/r4';
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function buildExtensionCodeSystems(_o: unknown): CodeSystem[] {
  return [];
}
