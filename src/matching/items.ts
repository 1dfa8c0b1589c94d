/**
 * Loaders of `ExamItem[]`, the only input the matcher is built from.
 * - `examItemsFromCodeSystem`: from the published exam-item CodeSystem (the run-time path).
 * - `examItemsFromTsv`: from `standard-tables/items-v3.8.2.tsv` (tests and tools before/without content).
 */
import { readFileSync } from 'node:fs';
import type { CodeSystem, CodeSystemConcept } from 'fhir/r4';
import type { ExamItem } from '../standard/types.js';
import { parseTsv } from '../standard/tsv.js';

/** Dictionaries that give names to the segment codes (optional: names are derived from displays otherwise). */
export interface SegmentDictionaries {
  bodyPart?: CodeSystem;
  scanMethod?: CodeSystem;
  postProcessing?: CodeSystem;
  xrayPosition?: CodeSystem;
}

function propertyValue(concept: CodeSystemConcept, code: string): string | undefined {
  const p = concept.property?.find((x) => x.code === code);
  if (!p) return undefined;
  const v = p.valueCode ?? p.valueString ?? p.valueCoding?.code ?? (p.valueInteger !== undefined ? String(p.valueInteger) : undefined);
  return v === undefined ? undefined : String(v);
}

function flatten(concepts: CodeSystemConcept[] | undefined, out: CodeSystemConcept[] = []): CodeSystemConcept[] {
  for (const c of concepts ?? []) {
    out.push(c);
    if (c.concept) flatten(c.concept, out);
  }
  return out;
}

function nameIndex(cs: CodeSystem | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const c of flatten(cs?.concept)) if (c.display) m.set(c.code, c.display);
  return m;
}

/** Modality label from the code when the property is absent (device type segment, §5.2). */
function modalityFromDevice(deviceType: string): string {
  if (deviceType.startsWith('2')) return 'CT';
  if (deviceType.startsWith('3')) return 'MR';
  if (deviceType === '44') return 'MG';
  if (deviceType === '45') return 'RF';
  return 'DR';
}

/**
 * Reads the exam-item CodeSystem (property codes per CONTRACTS.md). Concepts without a 14-character
 * code (abstract groupers, if any) are skipped. Segment values missing as properties are cut from the code.
 */
export function examItemsFromCodeSystem(cs: CodeSystem, dictionaries: SegmentDictionaries = {}): ExamItem[] {
  const bodyNames = nameIndex(dictionaries.bodyPart);
  const scanNames = nameIndex(dictionaries.scanMethod);
  const postNames = nameIndex(dictionaries.postProcessing);
  const positionNames = nameIndex(dictionaries.xrayPosition);
  const items: ExamItem[] = [];
  for (const c of flatten(cs.concept)) {
    if (!c.code || c.code.length !== 14 || !c.display) continue;
    const code = c.code;
    const deviceType = propertyValue(c, 'deviceType') ?? code.slice(0, 2);
    const modality = propertyValue(c, 'modality') ?? modalityFromDevice(deviceType);
    const l3 = propertyValue(c, 'bodyPartL3') ?? code.slice(2, 8);
    const scan = propertyValue(c, 'scanMethod') ?? code.slice(8, 10);
    const isXray = deviceType.startsWith('4');
    const pp = (isXray ? propertyValue(c, 'xrayPosition') : propertyValue(c, 'postProcessing')) ?? code.slice(10, 12);
    items.push({
      code,
      display: c.display,
      modality,
      deviceType,
      bodyPartL1: propertyValue(c, 'bodyPartL1') ?? code.slice(2, 4),
      bodyPartL2: propertyValue(c, 'bodyPartL2') ?? code.slice(2, 6),
      bodyPartL3: l3,
      bodyPartL3Name: propertyValue(c, 'bodyPartName') ?? bodyNames.get(l3) ?? '',
      scan,
      scanName: propertyValue(c, 'scanMethodName') ?? scanNames.get(scan) ?? '',
      postOrPosition: pp,
      postOrPositionName: pp === '00'
        ? ''
        : (isXray ? propertyValue(c, 'xrayPositionName') ?? positionNames.get(pp) : propertyValue(c, 'postProcessingName') ?? postNames.get(pp)) ?? '',
      additional: propertyValue(c, 'additionalCode') ?? code.slice(12, 14),
    });
  }
  return items;
}

/** Reads `items-v3.8.2.tsv` (columns documented in standard-tables/SOURCES.md §6). */
export function examItemsFromTsv(path: string): ExamItem[] {
  const table = parseTsv(readFileSync(path, 'utf8'), path);
  return table.rows.map(({ values: v }) => {
    const dash = (s: string | undefined) => (s === undefined || s === '-' ? '' : s);
    return {
      code: v['code'] ?? '',
      display: v['name'] ?? '',
      modality: v['modality'] ?? '',
      deviceType: v['device_type_code'] ?? '',
      bodyPartL1: v['level1_code'] ?? '',
      bodyPartL2: v['level2_code'] ?? '',
      bodyPartL3: v['level3_code'] ?? '',
      bodyPartL3Name: dash(v['level3_name']),
      scan: v['scan_code'] ?? '',
      scanName: dash(v['scan_name']),
      postOrPosition: v['postproc_or_position_code'] ?? '00',
      postOrPositionName: dash(v['postproc_or_position_name']),
      additional: v['additional_code'] ?? '00',
    };
  }).filter((i) => i.code.length === 14);
}
