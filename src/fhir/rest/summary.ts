/**
 * `_summary` and `_elements` (FHIR R4 search §3.1.1.5.8–9). Which top-level elements are summary
 * or mandatory comes from the R4 StructureDefinitions (validation/structure-definitions.ts).
 */
import type { Resource } from 'fhir/r4';
import { InvalidRequestError } from '../../errors.js';
import { elementsOf } from '../validation/structure-definitions.js';

export type SummaryMode = 'true' | 'false' | 'text' | 'data' | 'count';
const SUMMARY_MODES = new Set<SummaryMode>(['true', 'false', 'text', 'data', 'count']);

interface ElementFlags {
  summary: Set<string>;
  mandatory: Set<string>;
}

const flagsByType = new Map<string, ElementFlags>();

/** Top-level summary and mandatory element names of a resource type (R4 StructureDefinition). */
function flagsOf(resourceType: string): ElementFlags {
  let f = flagsByType.get(resourceType);
  if (f) return f;
  f = { summary: new Set(), mandatory: new Set() };
  for (const el of elementsOf(resourceType)) {
    const parts = el.path.split('.');
    if (parts.length !== 2) continue;
    const name = parts[1]!.replace('[x]', '');
    if (el.summary) f.summary.add(name);
    if (el.min > 0) f.mandatory.add(name);
  }
  flagsByType.set(resourceType, f);
  return f;
}

export function parseSummary(values: string[] | undefined): SummaryMode | undefined {
  if (!values || values.length === 0) return undefined;
  const v = values[values.length - 1]!;
  if (!SUMMARY_MODES.has(v as SummaryMode)) throw new InvalidRequestError(`Invalid _summary '${v}': expected true, false, text, data or count`, { expression: ['_summary'] });
  return v as SummaryMode;
}

export function parseElements(values: string[] | undefined): string[] | undefined {
  if (!values || values.length === 0) return undefined;
  const names = values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  return names.map((n) => (n.includes('.') ? n.slice(n.indexOf('.') + 1) : n)).map((n) => n.split('.')[0]!);
}

/** Element names in JSON: `valueString` for value[x] elements, `_x` for primitive extensions. */
function baseName(key: string, known: Set<string>): string {
  const bare = key.startsWith('_') ? key.slice(1) : key;
  if (known.has(bare)) return bare;
  for (const k of known) if (bare.startsWith(k) && /^[A-Z]/.test(bare.slice(k.length))) return k;
  return bare;
}

/** FHIR R4 §3.1.1.5.8: a subsetted resource carries the SUBSETTED tag. */
function markSubsetted(resource: Record<string, unknown>): void {
  const meta = { ...((resource.meta as Record<string, unknown> | undefined) ?? {}) };
  const tags = Array.isArray(meta.tag) ? [...(meta.tag as unknown[])] : [];
  tags.push({ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' });
  meta.tag = tags;
  resource.meta = meta;
}

function keep(resource: Resource, test: (element: string) => boolean, known: Set<string>): Resource {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (key === 'resourceType' || key === 'id' || key === 'meta' || test(baseName(key, known))) out[key] = value;
  }
  markSubsetted(out);
  return out as unknown as Resource;
}

export interface SubsetOptions {
  summary?: SummaryMode;
  elements?: string[];
}

/** Applies `_summary` / `_elements` to one resource (count is handled by the caller). */
export function subsetResource(resource: Resource, options: SubsetOptions): Resource {
  const { summary, elements } = options;
  if ((summary === undefined || summary === 'false' || summary === 'count') && !elements) return resource;
  const f = flagsOf(resource.resourceType);
  const known = new Set([...f.summary, ...f.mandatory, ...(elements ?? [])]);
  if (summary === 'true') return keep(resource, (e) => f.summary.has(e), known);
  if (summary === 'text') return keep(resource, (e) => e === 'text' || f.mandatory.has(e), known);
  if (summary === 'data') return keep(resource, (e) => e !== 'text', known);
  const wanted = new Set(elements);
  return keep(resource, (e) => wanted.has(e) || f.mandatory.has(e), known);
}
