/**
 * English designations for exam items where a source gives one: the ACR procedure names of
 * acr-procedure-crossmap.tsv, only for pairs reviewed in exam-item-english.tsv (the crossmap's
 * labels are loose: e.g. tomosynthesis mapped to plain mammography). Every crossmap row is accounted for.
 */
import type { BuildReport } from './report.js';
import type { SourceTables } from './sources.js';
import type { ExamItemRecord } from './items.js';

export function readEnglishNames(o: { src: SourceTables; report: BuildReport; items: ExamItemRecord[] }): Map<string, string[]> {
  const crossmap = o.src.table('acr-procedure-crossmap.tsv');
  const review = o.src.table('exam-item-english.tsv');
  const decisions = new Map(review.rows.map((r) => [Number(r.values.acr_line), r]));
  const codes = new Set(o.items.map((i) => i.code));
  const out = new Map<string, string[]>();
  let unmatched = 0;
  let combined = 0;
  for (const row of crossmap.rows) {
    const code = (row.values['v3.8.2_code_exact_name_match'] ?? '').trim();
    const en = row.values.acr_procedure_en!.trim();
    if (!code) {
      unmatched++;
      continue;
    }
    if (code.includes(';')) {
      combined++;
      continue;
    }
    const d = decisions.get(row.line);
    if (!d || d.values.code!.trim() !== code || d.values.acr_procedure_en!.trim() !== en) {
      o.report.warning(crossmap.file, row.line, code, `"${en}" has no reviewed decision in exam-item-english.tsv; not used`);
      continue;
    }
    if (!codes.has(code)) {
      o.report.rejection('exam-item-english.tsv', d.line, code, 'not an exam item');
      continue;
    }
    if (d.values.decision === 'accept') {
      out.set(code, [...(out.get(code) ?? []), en]);
    } else {
      o.report.rejection(crossmap.file, row.line, code, `English "${en}" not used as a designation: ${d.values.reason}`);
    }
  }
  o.report.decision(crossmap.file, 0, undefined, `${unmatched} ACR rows name no V3.8.2 item exactly (US/PET/SPECT or non-standard labels) and ${combined} name a combination of items: no English designation from them`);
  return out;
}
