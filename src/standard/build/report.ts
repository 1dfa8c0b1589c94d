/**
 * What the content build had to correct, reject or flag, with the source file and row.
 * Every deviation from the tables goes through here so nothing is silently dropped.
 */
export type ReportKind = 'correction' | 'rejection' | 'warning' | 'decision';

export interface ReportEntry {
  kind: ReportKind;
  /** Source file name under standard-tables/ (or the release file being imported). */
  file: string;
  /** 1-based line in the file (header = line 1); 0 when the entry concerns the whole file. */
  line: number;
  /** Code the entry is about, when there is one. */
  code?: string;
  reason: string;
}

export class BuildReport {
  readonly entries: ReportEntry[] = [];

  add(entry: ReportEntry): void {
    this.entries.push(entry);
  }
  correction(file: string, line: number, code: string | undefined, reason: string): void {
    this.add({ kind: 'correction', file, line, code, reason });
  }
  rejection(file: string, line: number, code: string | undefined, reason: string): void {
    this.add({ kind: 'rejection', file, line, code, reason });
  }
  warning(file: string, line: number, code: string | undefined, reason: string): void {
    this.add({ kind: 'warning', file, line, code, reason });
  }
  decision(file: string, line: number, code: string | undefined, reason: string): void {
    this.add({ kind: 'decision', file, line, code, reason });
  }

  count(kind: ReportKind): number {
    return this.entries.filter((e) => e.kind === kind).length;
  }
}

const KIND_TITLES: Record<ReportKind, string> = {
  correction: 'Corrections (published with the corrected value)',
  rejection: 'Rejections (not published)',
  warning: 'Warnings (published as in the source; worth a look)',
  decision: 'Modelling decisions (inferred, documented)',
};

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Markdown rendering: one table per kind, in source order. */
export function renderReport(report: BuildReport, summary: string[]): string {
  const out: string[] = ['# Content build report', '', ...summary, ''];
  for (const kind of Object.keys(KIND_TITLES) as ReportKind[]) {
    const rows = report.entries.filter((e) => e.kind === kind);
    out.push(`## ${KIND_TITLES[kind]}: ${rows.length}`, '');
    if (rows.length === 0) {
      out.push('(none)', '');
      continue;
    }
    out.push('| file | row | code | reason |', '|---|---|---|---|');
    for (const e of rows) {
      out.push(`| ${e.file} | ${e.line || '-'} | ${e.code ? '`' + escapeCell(e.code) + '`' : ''} | ${escapeCell(e.reason)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
