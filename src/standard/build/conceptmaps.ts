import type { ConceptMap } from 'fhir/r4';
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function buildConceptMaps(_o: unknown): ConceptMap[] {
  return [];
}
