/**
 * Turns SourceConcepts into a FHIR R4 CodeSystem: hierarchy by concept nesting plus an explicit
 * `parent` property (so both nesting-aware and property-based engines see it), declared properties
 * with types, designations with language and use.
 */
import type { CodeSystem, CodeSystemConcept, CodeSystemProperty, CodeSystemConceptDesignation } from 'fhir/r4';
import type { SourceConcept, Designation } from './concept.js';

export const PUBLISHER = '一脉阳光影像医院集团 (Rimag Medical Imaging Group)';
export const SYNONYM_USE = { system: 'http://snomed.info/sct', code: '900000000000013009', display: 'Synonym' } as const;
const PARENT_PROPERTY: CodeSystemProperty = {
  code: 'parent',
  uri: 'http://hl7.org/fhir/concept-properties#parent',
  description: 'Parent concept (上级编码)',
  type: 'code',
};
const NOT_SELECTABLE: CodeSystemProperty = {
  code: 'notSelectable',
  uri: 'http://hl7.org/fhir/concept-properties#notSelectable',
  description: 'Grouping concept, not used as a code in items (分类, 不可选)',
  type: 'boolean',
};
const INACTIVE: CodeSystemProperty = {
  code: 'inactive',
  uri: 'http://hl7.org/fhir/concept-properties#inactive',
  description: 'Published but not to be used (e.g. a duplicated appendix row)',
  type: 'boolean',
};

export interface CodeSystemMeta {
  id: string;
  url: string;
  version: string;
  name: string;
  title: string;
  descriptionZh: string;
  descriptionEn: string;
  source: string;
  /** Properties the concepts use, besides parent/notSelectable/inactive (added when used). */
  properties: CodeSystemProperty[];
  hierarchyMeaning?: CodeSystem['hierarchyMeaning'];
  caseSensitive?: boolean;
  date?: string;
  valueSet?: string;
}

function designation(d: Designation): CodeSystemConceptDesignation {
  if (d.kind === 'english') return { language: 'en', value: d.value };
  return { language: d.language ?? 'zh', use: SYNONYM_USE, value: d.value };
}

function toConcept(c: SourceConcept, children: Map<string, SourceConcept[]>, nest: boolean): CodeSystemConcept {
  const out: CodeSystemConcept = { code: c.code, display: c.display };
  if (c.definition) out.definition = c.definition;
  if (c.designations.length > 0) out.designation = c.designations.map(designation);
  const props: NonNullable<CodeSystemConcept['property']> = [];
  if (c.parent) props.push({ code: 'parent', valueCode: c.parent });
  if (c.abstract) props.push({ code: 'notSelectable', valueBoolean: true });
  if (c.inactive) props.push({ code: 'inactive', valueBoolean: true });
  props.push(...c.properties);
  if (props.length > 0) out.property = props;
  const kids = children.get(c.code);
  if (nest && kids && kids.length > 0) out.concept = kids.map((k) => toConcept(k, children, nest));
  return out;
}

export function buildCodeSystem(meta: CodeSystemMeta, concepts: SourceConcept[]): CodeSystem {
  const codes = new Set(concepts.map((c) => c.code));
  const hierarchical = concepts.some((c) => c.parent && codes.has(c.parent));
  const children = new Map<string, SourceConcept[]>();
  for (const c of concepts) {
    if (c.parent && codes.has(c.parent)) {
      const list = children.get(c.parent) ?? [];
      list.push(c);
      children.set(c.parent, list);
    }
  }
  const roots = concepts.filter((c) => !(c.parent && codes.has(c.parent)));
  const used = new Set(concepts.flatMap((c) => c.properties.map((p) => p.code)));
  const properties: CodeSystemProperty[] = [];
  if (hierarchical) properties.push(PARENT_PROPERTY);
  if (concepts.some((c) => c.abstract)) properties.push(NOT_SELECTABLE);
  if (concepts.some((c) => c.inactive)) properties.push(INACTIVE);
  // Declare what the concepts use (a small release may use no X-ray position at all).
  for (const p of meta.properties) if (used.has(p.code)) properties.push(p);
  for (const u of used) {
    if (!meta.properties.some((p) => p.code === u)) throw new Error(`${meta.id}: property ${u} is used but not declared`);
  }
  const cs: CodeSystem = {
    resourceType: 'CodeSystem',
    id: meta.id,
    url: meta.url,
    version: meta.version,
    name: meta.name,
    title: meta.title,
    status: 'active',
    experimental: false,
    ...(meta.date ? { date: meta.date } : {}),
    publisher: PUBLISHER,
    description: `${meta.descriptionZh}\n\n${meta.descriptionEn}\n\n来源 Source: ${meta.source}`,
    caseSensitive: meta.caseSensitive ?? true,
    ...(meta.valueSet ? { valueSet: meta.valueSet } : {}),
    ...(hierarchical ? { hierarchyMeaning: meta.hierarchyMeaning ?? 'is-a' } : {}),
    content: 'complete',
    count: concepts.length,
    property: properties.length > 0 ? properties : undefined,
    concept: roots.map((c) => toConcept(c, children, true)),
  };
  if (!cs.property) delete cs.property;
  return cs;
}

export function prop(code: string, type: CodeSystemProperty['type'], description: string): CodeSystemProperty {
  return { code, type, description };
}
