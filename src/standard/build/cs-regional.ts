import type { CodeSystem } from 'fhir/r4';
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function buildPriceAndChuanyuCodeSystems(_o: unknown): CodeSystem[] {
  return [];
}
