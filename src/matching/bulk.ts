/** CSV helpers of the bulk command (`npm run standardize`). */
import { summarise } from './standardize-operation.js';
import type { MatchResult } from './types.js';

/** `system`: the CodeSystem of each code (exam-item, or us-/pet-/spect-exam-item), joined by `+` like the codes. */
export const BULK_HEADER = ['input', 'code', 'display', 'score', 'decision', 'source', 'modality', 'body_part', 'second_code', 'second_score', 'reason', 'system'];

export function csvEscape(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One CSV record (no embedded newlines), RFC 4180 quoting. */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export function formatRow(r: MatchResult): string {
  const s = summarise(r);
  const first = r.exams[0];
  const facets = (first?.facets ?? {}) as { modality?: string; family?: string; parts?: string[]; bodyPart?: { l3?: string; term?: string } };
  const systems = r.decision === 'none' ? [] : r.exams.filter((e) => e.decision !== 'none' && e.candidates[0]).map((e) => e.candidates[0]?.system ?? '');
  const second = first?.candidates[1];
  const cells = [
    r.input,
    s.code,
    s.display,
    s.code ? s.score.toFixed(3) : '',
    s.decision,
    r.source ?? 'engine',
    s.code ? (facets.modality ?? facets.family ?? '') : '',
    s.code ? (facets.bodyPart?.term ?? facets.parts?.[0] ?? '') : '',
    r.exams.length === 1 && second ? second.code : '',
    r.exams.length === 1 && second ? second.score.toFixed(3) : '',
    r.reason ?? '',
    systems.join('+'),
  ];
  return cells.map(csvEscape).join(',');
}
