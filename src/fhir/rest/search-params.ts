/**
 * The search parameters served for the terminology resources (FHIR R4 §3.1.1, and the
 * CodeSystem/ValueSet/ConceptMap SearchParameter definitions). One matcher per parameter; the
 * CapabilityStatement lists the same table, so what is advertised is what is implemented.
 */
import type { CodeSystemConcept, Resource } from 'fhir/r4';
import type { ResourceVersion } from '../../store/store.js';
import { InvalidRequestError } from '../../errors.js';
import { matchesDate, parseDateCondition } from './date-param.js';

export type SearchParamType = 'token' | 'string' | 'uri' | 'date' | 'reference';

export interface SearchParamDef {
  name: string;
  type: SearchParamType;
  documentation: string;
  /** Values of the resource this parameter matches against. */
  values?: (resource: Record<string, unknown>) => string[];
}

type R = Record<string, unknown>;
const str = (v: unknown): string[] => (typeof v === 'string' ? [v] : []);
const canonicalBase = (v: string): string => v.split('|')[0]!;

function conceptCodes(concepts: CodeSystemConcept[] | undefined, out: string[] = []): string[] {
  for (const c of concepts ?? []) {
    out.push(c.code);
    conceptCodes(c.concept, out);
  }
  return out;
}

const COMMON: SearchParamDef[] = [
  { name: '_id', type: 'token', documentation: 'Logical id', values: (r) => str(r.id) },
  { name: '_lastUpdated', type: 'date', documentation: 'When the resource version last changed (eq, ne, gt, lt, ge, le, sa, eb, ap)' },
];

const CANONICAL: SearchParamDef[] = [
  { name: 'url', type: 'uri', documentation: 'Canonical URL (exact; :below for prefix)', values: (r) => str(r.url) },
  { name: 'version', type: 'token', documentation: 'Business version', values: (r) => str(r.version) },
  { name: 'name', type: 'string', documentation: 'Computer-friendly name (starts-with, case- and accent-insensitive; :exact, :contains)', values: (r) => str(r.name) },
  { name: 'title', type: 'string', documentation: 'Human-friendly title (starts-with; :exact, :contains)', values: (r) => str(r.title) },
  { name: 'status', type: 'token', documentation: 'draft | active | retired | unknown', values: (r) => str(r.status) },
];

const BY_TYPE: Record<string, SearchParamDef[]> = {
  CodeSystem: [
    ...CANONICAL,
    { name: 'system', type: 'uri', documentation: 'The code system URL (same as url)', values: (r) => str(r.url) },
    { name: 'code', type: 'token', documentation: 'A code defined in the code system', values: (r) => conceptCodes(r.concept as CodeSystemConcept[] | undefined) },
    { name: 'content-mode', type: 'token', documentation: 'not-present | example | fragment | complete | supplement', values: (r) => str(r.content) },
  ],
  ValueSet: [
    ...CANONICAL,
    {
      name: 'reference', type: 'uri', documentation: 'A code system included or excluded in the compose',
      values: (r) => {
        const compose = (r.compose ?? {}) as { include?: Array<{ system?: string }>; exclude?: Array<{ system?: string }> };
        return [...(compose.include ?? []), ...(compose.exclude ?? [])].flatMap((i) => str(i.system));
      },
    },
  ],
  ConceptMap: [
    ...CANONICAL,
    { name: 'source', type: 'reference', documentation: 'The source value set (sourceUri or sourceCanonical)', values: (r) => [...str(r.sourceUri), ...str(r.sourceCanonical)].map(canonicalBase) },
    { name: 'target', type: 'reference', documentation: 'The target value set (targetUri or targetCanonical)', values: (r) => [...str(r.targetUri), ...str(r.targetCanonical)].map(canonicalBase) },
    { name: 'source-uri', type: 'reference', documentation: 'The source value set (sourceUri or sourceCanonical)', values: (r) => [...str(r.sourceUri), ...str(r.sourceCanonical)].map(canonicalBase) },
    { name: 'target-uri', type: 'reference', documentation: 'The target value set (targetUri or targetCanonical)', values: (r) => [...str(r.targetUri), ...str(r.targetCanonical)].map(canonicalBase) },
    { name: 'source-system', type: 'uri', documentation: 'A source code system (group.source)', values: (r) => ((r.group ?? []) as Array<{ source?: string }>).flatMap((g) => str(g.source)) },
    { name: 'target-system', type: 'uri', documentation: 'A target code system (group.target)', values: (r) => ((r.group ?? []) as Array<{ target?: string }>).flatMap((g) => str(g.target)) },
  ],
  OperationDefinition: [
    ...CANONICAL,
    { name: 'code', type: 'token', documentation: 'Name used to invoke the operation', values: (r) => str(r.code) },
  ],
};

/** Every search parameter served for a resource type (common ones first). */
export function searchParamsFor(resourceType: string): SearchParamDef[] {
  return [...COMMON, ...(BY_TYPE[resourceType] ?? [])];
}

/** Case-, width- and accent-insensitive form for string search (FHIR R4 §3.1.1.5.3 "string"). */
export function foldString(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

function matchOne(def: SearchParamDef, modifier: string | undefined, candidates: string[], wanted: string): boolean {
  switch (def.type) {
    case 'string': {
      if (modifier === 'exact') return candidates.includes(wanted);
      const w = foldString(wanted);
      return candidates.some((c) => (modifier === 'contains' ? foldString(c).includes(w) : foldString(c).startsWith(w)));
    }
    case 'uri':
    case 'reference':
      if (modifier === 'below') return candidates.some((c) => c.startsWith(wanted));
      return candidates.includes(def.type === 'reference' ? canonicalBase(wanted) : wanted);
    case 'token': {
      const code = wanted.includes('|') ? wanted.slice(wanted.lastIndexOf('|') + 1) : wanted;
      return candidates.includes(code);
    }
    case 'date':
      return false;
  }
}

const MODIFIERS: Record<SearchParamType, string[]> = {
  string: ['exact', 'contains'],
  uri: ['below'],
  reference: ['below'],
  token: [],
  date: [],
};

export interface SearchCriterion {
  def: SearchParamDef;
  modifier?: string;
  /** One entry per repetition of the arg (AND); each a comma list (OR). */
  values: string[][];
}

/** Parses `name[:modifier]` query args into criteria; unknown names are returned for the outcome. */
export function parseCriteria(resourceType: string, query: Record<string, string[]>): { criteria: SearchCriterion[]; unknown: string[] } {
  const defs = new Map(searchParamsFor(resourceType).map((d) => [d.name, d]));
  const criteria: SearchCriterion[] = [];
  const unknown: string[] = [];
  for (const [arg, raw] of Object.entries(query)) {
    if (arg.startsWith('_') && !defs.has(arg.split(':')[0]!)) continue; // result parameters (_count, _summary …) are handled elsewhere
    const [name = '', modifier] = arg.split(':');
    const def = defs.get(name);
    if (!def) {
      unknown.push(arg);
      continue;
    }
    if (modifier !== undefined && !MODIFIERS[def.type].includes(modifier)) {
      throw new InvalidRequestError(`Unsupported modifier ':${modifier}' on search parameter '${name}'`, { code: 'not-supported', expression: [arg] });
    }
    const values = raw.map((v) => v.split(',').filter((x) => x !== ''));
    if (def.type === 'date') values.flat().forEach((v) => parseDateCondition(v, name)); // reject bad dates up front
    criteria.push({ def, ...(modifier !== undefined ? { modifier } : {}), values });
  }
  return { criteria, unknown };
}

export function matchesCriteria(version: ResourceVersion, criteria: SearchCriterion[]): boolean {
  const resource = version.resource as Resource as unknown as R;
  return criteria.every(({ def, modifier, values }) =>
    values.every((alternatives) => {
      if (def.type === 'date') {
        const at = Date.parse(version.lastUpdated);
        return alternatives.some((v) => matchesDate(at, parseDateCondition(v, def.name)));
      }
      const candidates = def.values?.(resource) ?? [];
      return alternatives.some((v) => matchOne(def, modifier, candidates, v));
    }));
}
