/**
 * Scoring the matcher on a labelled set (the dev set format: id, raw_name, kind, codes, rationale).
 * `codes`: alternatives separated by `|`; for `multi`, exams separated by `+`.
 */
import type { ExamNameMatcher, MatchResult } from './types.js';

export interface LabelledRow {
  id: string;
  name: string;
  kind: 'exam' | 'multi' | 'none' | 'unsure';
  /** One entry per exam; each a set of accepted codes. */
  expected: string[][];
}

export function parseLabelledSet(text: string): LabelledRow[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, ''));
  const header = (lines[0] ?? '').split('\t');
  const col = (n: string) => header.indexOf(n);
  // Also reads the reviewed 川渝 crosswalk (seq, item_name, codes with ';' alternatives).
  const crosswalk = col('raw_name') < 0 && col('item_name') >= 0;
  const [ci, cn, ck, cc] = crosswalk ? [col('seq'), col('item_name'), -1, col('codes')] : [col('id'), col('raw_name'), col('kind'), col('codes')];
  const rows: LabelledRow[] = [];
  for (const line of lines.slice(1)) {
    if (!line.trim()) continue;
    const cells = line.split('\t');
    const codes = (cells[cc] ?? '').trim().replace(/;/g, '|');
    rows.push({
      id: cells[ci] ?? '',
      name: cells[cn] ?? '',
      kind: (crosswalk ? (codes ? (codes.includes('+') ? 'multi' : 'exam') : 'none') : (cells[ck] ?? 'unsure')) as LabelledRow['kind'],
      expected: codes ? codes.split('+').map((g) => g.split('|').filter(Boolean)) : [],
    });
  }
  return rows;
}

/** FNV-1a of the id: the even half tunes, the odd half checks (guard against over-fitting). */
export function idHalf(id: string): 'even' | 'odd' {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h % 2 === 0 ? 'even' : 'odd';
}

export interface RowOutcome {
  row: LabelledRow;
  result: MatchResult;
  predicted: string[];
  correct: boolean;
  auto: boolean;
}

export interface EvalReport {
  rows: number;
  examRows: number;
  examTop1: number;
  multiRows: number;
  multiExact: number;
  noneRows: number;
  noneNotAuto: number;
  autoRows: number;
  autoCorrect: number;
  unsureRows: number;
  unsureAuto: number;
  failures: RowOutcome[];
}

function exactSet(expected: string[][], predicted: string[]): boolean {
  if (expected.length !== predicted.length) return false;
  const left = [...predicted];
  for (const alternatives of expected) {
    const i = left.findIndex((p) => alternatives.includes(p));
    if (i < 0) return false;
    left.splice(i, 1);
  }
  return true;
}

export function evaluate(matcher: ExamNameMatcher, rows: LabelledRow[]): EvalReport {
  const r: EvalReport = { rows: rows.length, examRows: 0, examTop1: 0, multiRows: 0, multiExact: 0, noneRows: 0, noneNotAuto: 0, autoRows: 0, autoCorrect: 0, unsureRows: 0, unsureAuto: 0, failures: [] };
  for (const row of rows) {
    const result = matcher.match(row.name);
    const predicted = result.decision === 'none' ? [] : result.exams.filter((e) => e.decision !== 'none').map((e) => e.candidates[0]?.code ?? '');
    const auto = result.decision === 'auto';
    let correct = false;
    if (row.kind === 'exam') {
      r.examRows++;
      correct = predicted.length >= 1 && (row.expected[0] ?? []).includes(predicted[0] as string);
      if (correct) r.examTop1++;
      if (predicted.length > 1) correct = false;
    } else if (row.kind === 'multi') {
      r.multiRows++;
      correct = exactSet(row.expected, predicted);
      if (correct) r.multiExact++;
    } else if (row.kind === 'none') {
      r.noneRows++;
      correct = !auto;
      if (correct) r.noneNotAuto++;
    } else {
      r.unsureRows++;
      if (auto) r.unsureAuto++;
      continue;
    }
    if (auto) {
      r.autoRows++;
      if (correct) r.autoCorrect++;
    }
    if (!correct || (row.kind === 'exam' && !(row.expected[0] ?? []).includes(predicted[0] as string))) r.failures.push({ row, result, predicted, correct, auto });
  }
  return r;
}

const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`);

export function formatReport(label: string, r: EvalReport): string {
  return [
    `${label}: ${r.rows} rows`,
    `  top-1 accuracy (exam):        ${pct(r.examTop1, r.examRows)} (${r.examTop1}/${r.examRows})`,
    `  exact-set accuracy (multi):   ${pct(r.multiExact, r.multiRows)} (${r.multiExact}/${r.multiRows})`,
    `  none rows not auto:           ${pct(r.noneNotAuto, r.noneRows)} (${r.noneNotAuto}/${r.noneRows})`,
    `  auto precision:               ${pct(r.autoCorrect, r.autoRows)} (${r.autoCorrect}/${r.autoRows})`,
    `  auto rows:                    ${r.autoRows} of ${r.examRows + r.multiRows + r.noneRows} labelled (${r.unsureAuto} of ${r.unsureRows} unsure rows auto)`,
  ].join('\n');
}
