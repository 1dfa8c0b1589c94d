/**
 * The result table: every figure next to its target from issue 9, with the gap where missed.
 * Printed, and written as Markdown + JSON under bench/results/.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineDescription } from './machine.js';

export interface Row {
  section: string;
  metric: string;
  /** Measured value as shown (units included); '—' when not measured. */
  measured: string;
  target?: string;
  /** true met, false missed, undefined not judged (informative figure or not measured). */
  met?: boolean;
  /** What is missing, or why nothing was measured. */
  note?: string;
}

export interface BenchReport {
  machine: MachineDescription;
  settings: Record<string, string | number | boolean>;
  rows: Row[];
  notes: string[];
  raw: Record<string, unknown>;
  loadAvgAtEnd?: number;
}

export const fmt = {
  rps: (v: number) => (Number.isFinite(v) ? `${Math.round(v).toLocaleString('en-US')} req/s` : '—'),
  ms: (v: number, digits = 2) => (Number.isFinite(v) ? `${v.toFixed(digits)} ms` : '—'),
  pct: (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)}%` : '—'),
  us: (v: number) => (Number.isFinite(v) ? `${Math.round(v)} µs` : '—'),
  mib: (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? `${v.toFixed(0)} MiB` : '—'),
};

function verdict(row: Row): string {
  if (row.met === true) return 'met';
  if (row.met === false) return 'MISSED';
  return row.target ? 'not measured' : '';
}

export function toMarkdown(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `# Benchmark results`,
    '',
    `- Date: ${m.date}`,
    `- Machine: ${m.nproc} cores (${m.cpuModel}), ${m.memoryGiB} GiB RAM, Node ${m.node} (${m.platform}); 1-min load average at start ${m.loadAvgAtStart}${report.loadAvgAtEnd !== undefined ? `, at end ${report.loadAvgAtEnd}` : ''}`,
    `- Settings: ${Object.entries(report.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    '',
    '| Section | Metric | Measured | Target | Verdict | Gap / note |',
    '| --- | --- | --- | --- | --- | --- |',
    ...report.rows.map(
      (r) => `| ${r.section} | ${r.metric} | ${r.measured} | ${r.target ?? ''} | ${verdict(r)} | ${(r.note ?? '').replace(/\|/g, '\\|')} |`,
    ),
    '',
  ];
  if (report.notes.length) lines.push('Notes:', '', ...report.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

export function toConsole(report: BenchReport): string {
  const cols: Array<keyof Row | 'verdict'> = ['section', 'metric', 'measured', 'target', 'verdict', 'note'];
  const cells = report.rows.map((r) => cols.map((c) => (c === 'verdict' ? verdict(r) : String(r[c] ?? ''))));
  const widths = cols.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map((row) => row[i]!.length))));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  return [line(cols.map(String)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line), '', ...report.notes.map((n) => `note: ${n}`)].join('\n');
}

export function writeReport(report: BenchReport, dir: string): { md: string; json: string } {
  mkdirSync(dir, { recursive: true });
  const md = join(dir, 'latest.md');
  const json = join(dir, 'latest.json');
  writeFileSync(md, toMarkdown(report));
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  return { md, json };
}

const START = '<!-- bench:latest:start -->';
const END = '<!-- bench:latest:end -->';

/** Replaces the table between the markers in a Markdown doc (docs/bench.md), if both are there. */
export function updateDocTable(report: BenchReport, docFile: string): boolean {
  if (!existsSync(docFile)) return false;
  const doc = readFileSync(docFile, 'utf8');
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) return false;
  const table = toMarkdown(report).replace(/^# Benchmark results\n\n/, '');
  writeFileSync(docFile, `${doc.slice(0, a + START.length)}\n${table}\n${doc.slice(b)}`);
  return true;
}
