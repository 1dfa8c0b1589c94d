/**
 * 川渝 mutual-recognition item → standard exam item, from the reviewed decisions in
 * standard-tables/chuanyu-to-exam-item.tsv (one row per item, decided by reading the names).
 * The build checks every decision against both tables and reports anything suspicious.
 */
import type { ConceptMapGroupElement } from 'fhir/r4';
import type { BuildReport } from './report.js';
import type { SourceTables } from './sources.js';
import type { ExamItemRecord } from './items.js';

const EQUIVALENCES = new Set(['relatedto', 'equivalent', 'equal', 'wider', 'subsumes', 'narrower', 'specializes', 'inexact', 'unmatched', 'disjoint']);
/** 川渝 category → modality labels of the standard it may map to (DR rows include mammography). */
const CATEGORY_MODALITIES: Record<string, string[]> = { DR: ['DR', 'MG'], CT: ['CT'], MR: ['MR'], MRI: ['MR'] };

export interface ChuanyuDecision {
  seq: string;
  name: string;
  targets: Array<{ code: string; equivalence: string }>;
  comment: string;
}

function laterality(name: string): string | undefined {
  if (/双/.test(name)) return '双';
  if (/左/.test(name)) return '左';
  if (/右/.test(name)) return '右';
  return undefined;
}

export function readChuanyuDecisions(o: { src: SourceTables; report: BuildReport; items: ExamItemRecord[] }): ChuanyuDecision[] {
  const file = 'chuanyu-to-exam-item.tsv';
  const t = o.src.table(file);
  const source = new Map(o.src.table('chuanyu-hr-items.tsv').rows.map((r) => [r.values.seq!.trim(), r.values]));
  const items = new Map(o.items.map((i) => [i.code, i]));
  const out: ChuanyuDecision[] = [];
  const decided = new Set<string>();
  for (const r of t.rows) {
    const seq = r.values.seq!.trim();
    const src = source.get(seq);
    if (!src) {
      o.report.rejection(file, r.line, seq, 'no 川渝 item with this 序号');
      continue;
    }
    if (decided.has(seq)) {
      o.report.rejection(file, r.line, seq, 'second decision for the same item; the first one is used');
      continue;
    }
    if (src.item_name!.trim() !== r.values.item_name!.trim()) {
      o.report.warning(file, r.line, seq, `item_name "${r.values.item_name}" differs from the 川渝 table "${src.item_name}"`);
    }
    const codes = r.values.codes!.split(';').map((c) => c.trim()).filter(Boolean);
    const eqs = r.values.equivalence!.split(';').map((c) => c.trim());
    const comment = (r.values.comment ?? '').trim();
    const targets: ChuanyuDecision['targets'] = [];
    for (const [i, code] of codes.entries()) {
      const equivalence = eqs.length === 1 ? eqs[0]! : eqs[i] ?? '';
      const item = items.get(code);
      if (!EQUIVALENCES.has(equivalence)) {
        o.report.rejection(file, r.line, seq, `equivalence "${equivalence}" is not a FHIR R4 ConceptMapEquivalence`);
        continue;
      }
      if (!item) {
        o.report.rejection(file, r.line, seq, `target ${code} is not a V3.8.2 exam item`);
        continue;
      }
      const allowed = CATEGORY_MODALITIES[src.category!.trim()] ?? [];
      if (!allowed.includes(item.modality)) o.report.warning(file, r.line, seq, `category ${src.category} but target ${code} is ${item.modality}`);
      const side = laterality(src.item_name!);
      const targetSide = laterality(item.display);
      if (side && targetSide && side !== targetSide) o.report.warning(file, r.line, seq, `laterality ${side} in "${src.item_name}" but ${targetSide} in ${code} ${item.display}`);
      const plain = /平扫/.test(src.item_name!) && !/增强/.test(src.item_name!);
      if (plain && item.scanMethod !== '11') o.report.warning(file, r.line, seq, `平扫 item mapped to ${code} with scan method ${item.scanMethod}`);
      targets.push({ code, equivalence });
    }
    if (targets.length === 0) {
      o.report.rejection(file, r.line, seq, 'no valid target; the item is published as unmatched');
    }
    if ((targets.length !== 1 || targets[0]!.equivalence !== 'equivalent') && !comment) {
      o.report.rejection(file, r.line, seq, 'a decision that is not a single equivalent item must say why in the comment');
    }
    decided.add(seq);
    out.push({ seq, name: src.item_name!.trim(), targets, comment });
  }
  for (const seq of source.keys()) {
    if (!decided.has(seq)) o.report.rejection(file, 0, seq, `川渝 item ${seq} has no decision; published as unmatched`);
  }
  return out;
}

export function chuanyuElements(decisions: ChuanyuDecision[], items: ExamItemRecord[]): ConceptMapGroupElement[] {
  const byCode = new Map(items.map((i) => [i.code, i]));
  return decisions.map((d) => ({
    code: d.seq,
    display: d.name,
    target:
      d.targets.length === 0
        ? [{ equivalence: 'unmatched' as const, comment: d.comment || 'no standard item' }]
        : d.targets.map((t) => ({
            code: t.code,
            display: byCode.get(t.code)?.display,
            equivalence: t.equivalence as 'equivalent',
            ...(d.comment ? { comment: d.comment } : {}),
          })),
  }));
}
