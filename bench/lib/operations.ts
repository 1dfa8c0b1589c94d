/**
 * The benchmarked HTTP operations, with fixed inputs (issue 9). The ConceptMap hit and the read
 * target are taken from the repository's content files so the bench follows the content build
 * instead of hard-coding ids that may change; everything else is a constant.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './processes.js';

export const CANONICAL = 'https://bzh.rimagcloud.com/fhir';
export const EXAM_ITEM_SYSTEM = `${CANONICAL}/CodeSystem/exam-item`;
export const EXAM_ITEM_VALUESET = `${CANONICAL}/ValueSet/exam-item-all`;
export const SAMPLE_CODE = '20010100110000';
export const SAMPLE_DISPLAY = '* CT颅脑(平扫)';
export const EXPAND_FILTER = '胸部';
export const FREE_TEXT = '64排CT平扫(胸部)';

export interface BenchOperation {
  key: string;
  label: string;
  method: 'GET' | 'POST';
  /** Path and query, starting with /fhir/. */
  path: string;
  body?: string;
  /** Why the operation could not be set up (content missing); it is then reported, not run. */
  unavailable?: string;
}

const q = (params: Record<string, string>): string => new URLSearchParams(params).toString();

interface ConceptMapLike {
  resourceType?: string;
  url?: string;
  id?: string;
  group?: Array<{ source?: string; element?: Array<{ code?: string; target?: Array<{ code?: string; equivalence?: string }> }> }>;
}

function jsonFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The first mapped element of the preferred ConceptMap (chuanyu-to-exam-item, else any). */
export function findConceptMapHit(): { url: string; system: string; code: string; target: string } | undefined {
  const maps = jsonFiles(join(REPO, 'conformance'))
    .map(readJson)
    .filter((r): r is ConceptMapLike => (r as ConceptMapLike | undefined)?.resourceType === 'ConceptMap');
  maps.sort((a, b) => Number(b.url?.endsWith('/chuanyu-to-exam-item') ?? false) - Number(a.url?.endsWith('/chuanyu-to-exam-item') ?? false));
  for (const map of maps) {
    for (const group of map.group ?? []) {
      for (const el of group.element ?? []) {
        const target = el.target?.find((t) => t.code && t.equivalence !== 'unmatched' && t.equivalence !== 'disjoint');
        if (map.url && group.source && el.code && target?.code) return { url: map.url, system: group.source, code: el.code, target: target.code };
      }
    }
  }
  return undefined;
}

/** Id of the CodeSystem with the given canonical URL, from codesystems/. */
export function findCodeSystemId(url: string): string | undefined {
  for (const file of jsonFiles(join(REPO, 'codesystems'))) {
    const r = readJson(file) as { resourceType?: string; url?: string; id?: string } | undefined;
    if (r?.resourceType === 'CodeSystem' && r.url === url && r.id) return r.id;
  }
  return undefined;
}

export const READY_PATH = `/CodeSystem/$lookup?${q({ system: EXAM_ITEM_SYSTEM, code: SAMPLE_CODE })}`;

export function benchOperations(): BenchOperation[] {
  const hit = findConceptMapHit();
  const readId = findCodeSystemId(`${CANONICAL}/CodeSystem/modality`);
  return [
    { key: 'lookup', label: '$lookup (GET)', method: 'GET', path: `/fhir${READY_PATH}` },
    {
      key: 'validate-cs',
      label: 'CodeSystem/$validate-code (GET)',
      method: 'GET',
      path: `/fhir/CodeSystem/$validate-code?${q({ url: EXAM_ITEM_SYSTEM, code: SAMPLE_CODE, display: SAMPLE_DISPLAY })}`,
    },
    {
      key: 'validate-vs',
      label: 'ValueSet/$validate-code (GET)',
      method: 'GET',
      path: `/fhir/ValueSet/$validate-code?${q({ url: EXAM_ITEM_VALUESET, system: EXAM_ITEM_SYSTEM, code: SAMPLE_CODE })}`,
    },
    hit
      ? {
          key: 'translate-map',
          label: '$translate ConceptMap hit (GET)',
          method: 'GET',
          path: `/fhir/ConceptMap/$translate?${q({ url: hit.url, system: hit.system, code: hit.code, targetsystem: EXAM_ITEM_SYSTEM })}`,
        }
      : { key: 'translate-map', label: '$translate ConceptMap hit (GET)', method: 'GET', path: '', unavailable: 'no ConceptMap with a mapped element under conformance/' },
    {
      key: 'translate-text',
      label: '$translate free text (POST)',
      method: 'POST',
      path: '/fhir/ConceptMap/$translate',
      // codeableConcept is complex, so this one cannot be a GET (FHIR R4 operations §3.1.0.1.1).
      body: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [
          { name: 'codeableConcept', valueCodeableConcept: { text: FREE_TEXT } },
          { name: 'targetsystem', valueUri: EXAM_ITEM_SYSTEM },
        ],
      }),
    },
    {
      key: 'expand-filter',
      label: `$expand filter=${EXPAND_FILTER} (GET)`,
      method: 'GET',
      path: `/fhir/ValueSet/$expand?${q({ url: EXAM_ITEM_VALUESET, filter: EXPAND_FILTER })}`,
    },
    { key: 'read', label: `read CodeSystem/${readId ?? 'modality'} (GET)`, method: 'GET', path: `/fhir/CodeSystem/${readId ?? 'modality'}` },
  ];
}
