/**
 * Loads and validates the dictionaries of Q/YMYG 001—2023 (appendices A–F) from standard-tables/.
 * Each loader returns the published concepts; what it had to change goes into the report.
 */
import type { BuildReport } from './report.js';
import type { SourceTables, ManualCorrection } from './sources.js';
import { codeProp, stringProp, type SourceConcept, type Designation } from './concept.js';
import { toHalfWidth } from '../names.js';

/** Scan-method codes are only unique within a modality group: CT, MR and X-ray (DR/MG/RF). */
export type ScanGroup = 'CT' | 'MR' | 'XR';
const SCAN_GROUP_BY_SOURCE: Record<string, ScanGroup> = { CT: 'CT', MR: 'MR', X线: 'XR' };
export const SCAN_GROUP_BY_MODALITY_CODE: Record<string, ScanGroup> = { '2': 'CT', '3': 'MR', '4': 'XR' };
export const SCAN_GROUP_NAMES: Record<ScanGroup, string> = { CT: 'CT扫描方式', MR: 'MR扫描方式', XR: 'X线扫描方式' };
/** Applicable-modality labels in body-parts.tsv → modality code (appendix A). */
const MODALITY_LABEL_TO_CODE: Record<string, string> = { CT: '2', MR: '3', X线: '4' };

export function scanMethodKey(group: ScanGroup, segment: string): string {
  return `${group}-${segment}`;
}

export interface Dictionaries {
  modality: SourceConcept[];
  deviceType: SourceConcept[];
  bodyPart: SourceConcept[];
  scanMethod: SourceConcept[];
  postProcessing: SourceConcept[];
  xrayPosition: SourceConcept[];
  additionalCode: SourceConcept[];
}

interface Ctx {
  src: SourceTables;
  report: BuildReport;
  corrections: ManualCorrection[];
}

function english(value: string | undefined): Designation[] {
  const v = value?.trim();
  return v ? [{ value: v, language: 'en', kind: 'english' }] : [];
}

/** Returns the corrected cell value, reporting the correction, when corrections.tsv has one. */
function corrected(ctx: Ctx, file: string, line: number, code: string, field: string, value: string): string {
  const c = ctx.corrections.find((x) => x.file === file && x.code === code && x.field === field);
  if (!c) return value;
  if (c.from !== value) {
    ctx.report.warning('corrections.tsv', c.line, code, `correction for ${file} ${field} expects "${c.from}" but the table has "${value}"; not applied`);
    return value;
  }
  ctx.report.correction(file, line, code, `${field}: "${c.from}" → "${c.to || '(removed)'}": ${c.reason}`);
  return c.to;
}

function halfWidthVariant(name: string): Designation[] {
  const h = toHalfWidth(name);
  return h !== name ? [{ value: h, language: 'zh', kind: 'synonym' }] : [];
}

export function loadModalities(ctx: Ctx): SourceConcept[] {
  const t = ctx.src.table('modalities.tsv');
  return t.rows.map((r) => {
    const code = r.values.modality_code!.trim();
    const raw = r.values.modality_name!;
    const display = raw.replace(/\s*\/\s*/g, '/').trim();
    if (display !== raw) ctx.report.correction(t.file, r.line, code, `name "${raw}" → "${display}": spaces around "/" are a PDF transcription artefact`);
    return { code, display, designations: [], properties: [] };
  });
}

export function loadDeviceTypes(ctx: Ctx): SourceConcept[] {
  const t = ctx.src.table('device-types.tsv');
  return t.rows.map((r) => {
    const code = r.values.device_type_code!.trim();
    const display = r.values.device_type_name_nospace!.trim();
    const spaced = r.values.device_type_name!.trim();
    const designations: Designation[] = [...english(r.values.en_unofficial)];
    if (spaced !== display) designations.push({ value: spaced, language: 'zh', kind: 'synonym' });
    const modalityCode = r.values.modality_code!.trim();
    const properties = [codeProp('modality', modalityCode)];
    // §6.1.2: device-specific types are formed from the neutral item of their modality.
    const neutral = neutralDeviceType(code);
    if (neutral && neutral !== code) properties.push(codeProp('neutralDeviceType', neutral));
    return { code, display, designations, properties };
  });
}

/** Device-neutral type a device-specific type is derived from (§6.1.2): 21–25→20, 31–35→30, 43→40. */
export function neutralDeviceType(code: string): string | undefined {
  if (/^2[0-5]$/.test(code)) return '20';
  if (/^3[0-5]$/.test(code)) return '30';
  if (code === '43' || code === '40') return '40';
  return undefined;
}

export function loadBodyParts(ctx: Ctx): SourceConcept[] {
  const t = ctx.src.table('body-parts.tsv');
  const dedup = t.rows.filter((r) => /deduplicated/.test(r.values.source ?? '')).length;
  if (dedup > 0) {
    ctx.report.decision(t.file, 0, undefined, `${dedup} rows note that appendix C repeats blocks of rows (PDF transcription); the table holds each code once and the build rejects any code seen twice`);
  }
  const seen = new Set<string>();
  const out: SourceConcept[] = [];
  for (const r of t.rows) {
    const code = r.values.code!.trim();
    const level = Number(r.values.level);
    if (seen.has(code)) {
      ctx.report.rejection(t.file, r.line, code, 'duplicated body-part row; the first occurrence is published');
      continue;
    }
    if (code.length !== level * 2) {
      ctx.report.rejection(t.file, r.line, code, `level ${level} code must have ${level * 2} characters`);
      continue;
    }
    seen.add(code);
    const parent = r.values.parent_code?.trim() || undefined;
    if (level > 1 && parent !== code.slice(0, (level - 1) * 2)) {
      ctx.report.warning(t.file, r.line, code, `parent column "${parent}" differs from the code prefix`);
    }
    const properties = [codeProp('level', String(level))];
    const applicable = (r.values.applicable_modalities ?? '').trim();
    if (applicable) {
      const labels = applicable.split('/');
      const codes = labels.map((l) => MODALITY_LABEL_TO_CODE[l.trim()]);
      if (codes.some((c) => !c)) {
        ctx.report.correction(t.file, r.line, code, `applicable-modality column reads "${applicable}" (garbled in the source); published without applicable modalities`);
      } else {
        for (const c of codes) properties.push(codeProp('applicableModality', c!));
      }
    }
    const en = corrected(ctx, t.file, r.line, code, 'en_unofficial', (r.values.en_unofficial ?? '').trim());
    const name = r.values.name!.trim();
    out.push({
      code,
      display: name,
      parent: level > 1 ? code.slice(0, (level - 1) * 2) : undefined,
      designations: [...halfWidthVariant(name), ...english(en)],
      properties,
    });
  }
  for (const c of out) {
    if (c.parent && !seen.has(c.parent)) ctx.report.rejection(t.file, 0, c.code, `parent ${c.parent} is not a body part`);
  }
  return out;
}

/** Scan methods: group root (CT/MR/XR) → category (first character) → 2-character code. */
export function loadScanMethods(ctx: Ctx): SourceConcept[] {
  const t = ctx.src.table('scan-methods.tsv');
  const out: SourceConcept[] = [];
  const byKey = new Map<string, SourceConcept>();
  const categories = new Map<string, string>();
  for (const g of Object.keys(SCAN_GROUP_NAMES) as ScanGroup[]) {
    out.push({ code: g, display: SCAN_GROUP_NAMES[g], abstract: true, designations: [], properties: [] });
  }
  for (const r of t.rows) {
    const group = SCAN_GROUP_BY_SOURCE[r.values.modality!.trim()];
    const seg = r.values.code!.trim();
    if (!group) {
      ctx.report.rejection(t.file, r.line, seg, `unknown modality "${r.values.modality}"`);
      continue;
    }
    const key = scanMethodKey(group, seg);
    if (seg.length !== 2) {
      ctx.report.rejection(t.file, r.line, key, `code "${seg}" has ${seg.length} characters; positions 9-10 hold exactly 2, so it cannot occur in any item code (appendix D source error)`);
      continue;
    }
    const appendixName = (r.values.name_appendix ?? '').trim();
    const listCell = (r.values['name_v3.8.2_list'] ?? '').trim();
    const listName = listCell === '-' ? '' : listCell;
    const rawName = appendixName || listName;
    const name = corrected(ctx, t.file, r.line, key, 'name_appendix', rawName);
    const designations: Designation[] = [...halfWidthVariant(name)];
    if (name !== rawName) designations.push({ value: rawName, language: 'zh', kind: 'source-spelling' });
    if (listName && listName !== toHalfWidth(name) && listName !== name) {
      designations.push({ value: listName, language: 'zh', kind: 'synonym' });
    }
    let categoryCode = (r.values.level1_code ?? '').trim();
    let categoryName = (r.values.level1_name ?? '').trim();
    if (!categoryCode) {
      categoryCode = seg[0]!;
      categoryName = categories.get(`${group}-${categoryCode}`) ?? '';
      ctx.report.decision(t.file, r.line, key, `only in the V3.8.2 item list (not appendix D); category inferred from the first character "${categoryCode}"${categoryName ? ` (${categoryName})` : ' (no such category: placed directly under the group)'}`);
    }
    const catKey = `${group}-${categoryCode}`;
    if (categoryName && !categories.has(catKey)) {
      categories.set(catKey, categoryName);
      out.push({ code: catKey, display: categoryName.replace(/\s+/g, ''), parent: group, abstract: true, designations: [], properties: [] });
    }
    const duplicateOf = [...byKey.values()].find((c) => c.display === name && c.code.startsWith(`${group}-`));
    const concept: SourceConcept = {
      code: key,
      display: name || '无扫描方式(仅后处理)',
      parent: categories.has(catKey) ? catKey : group,
      designations,
      properties: [codeProp('segment', seg), stringProp('modalityGroup', group)],
    };
    if (!name) {
      ctx.report.decision(t.file, r.line, key, 'no name in the source (segment used by post-processing-only CT items); published as 无扫描方式(仅后处理)');
    }
    if (duplicateOf) {
      concept.inactive = true;
      concept.definition = `重复编码: 与 ${duplicateOf.code} 同名 (duplicate of ${duplicateOf.code})`;
      ctx.report.warning(t.file, r.line, key, `duplicated row: same name as ${duplicateOf.code} "${name}"; published as inactive so codes seen in the wild still resolve`);
    }
    byKey.set(key, concept);
    out.push(concept);
  }
  return out;
}

export function loadPostProcessing(ctx: Ctx): SourceConcept[] {
  const t = ctx.src.table('post-processing.tsv');
  const out: SourceConcept[] = [];
  const categories = new Set<string>();
  for (const r of t.rows) {
    const code = r.values.code!.trim();
    const cat = (r.values.level1_code ?? '').trim();
    const name = (r.values.name_appendix ?? '').trim() || (code === '00' ? '无后处理' : '');
    if (code === '00') ctx.report.decision(t.file, r.line, code, '00 = no post-processing (inferred from the item list); published as 无后处理');
    if (cat && !categories.has(cat)) {
      categories.add(cat);
      out.push({ code: cat, display: r.values.level1_name!.trim(), abstract: true, designations: [], properties: [] });
    }
    out.push({ code, display: name, parent: cat || undefined, designations: halfWidthVariant(name), properties: [] });
  }
  return out;
}

export function loadXrayPositions(ctx: Ctx): SourceConcept[] {
  const t = ctx.src.table('xray-positions.tsv');
  const seen = new Set<string>();
  const out: SourceConcept[] = [];
  for (const r of t.rows) {
    const code = r.values.code!.trim();
    if (seen.has(code)) {
      ctx.report.rejection(t.file, r.line, code, 'duplicated X-ray position code; first occurrence published');
      continue;
    }
    seen.add(code);
    const name = r.values.name_appendix!.trim();
    const properties = [];
    for (const part of (r.values['items_in_v3.8.2_by_modality'] ?? '').split(';')) {
      const m = /^(DR|MG|RF):/.exec(part.trim());
      if (m) properties.push(codeProp('usedByModality', m[1]!));
    }
    out.push({ code, display: name, designations: halfWidthVariant(name), properties });
  }
  return out;
}

/** §3.11: reserved for extension; every V3.8.2 item carries 00. */
export function loadAdditionalCodes(): SourceConcept[] {
  return [{ code: '00', display: '标准项目(无附加码)', definition: '附加码 00: 无附加信息 (additional code not used; reserved for extension, standard §3.11)', designations: [], properties: [] }];
}

export function loadDictionaries(ctx: Ctx): Dictionaries {
  return {
    modality: loadModalities(ctx),
    deviceType: loadDeviceTypes(ctx),
    bodyPart: loadBodyParts(ctx),
    scanMethod: loadScanMethods(ctx),
    postProcessing: loadPostProcessing(ctx),
    xrayPosition: loadXrayPositions(ctx),
    additionalCode: loadAdditionalCodes(),
  };
}

export type { Ctx as DictionaryContext };
