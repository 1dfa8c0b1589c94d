/**
 * Import of a newer official exam-item release (XLSX, CSV or TSV with the columns of the V3.8.2
 * list, Chinese or English headers) as a new CodeSystem version beside the old one, plus a report
 * of added, removed, renamed and re-coded items.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import XLSX from 'xlsx';
import iconv from 'iconv-lite';
import type { CodeSystem } from 'fhir/r4';
import { BuildReport, renderReport } from './report.js';
import { SourceTables, loadCorrections } from './sources.js';
import { loadDictionaries } from './dictionaries.js';
import { readExamItems, ITEM_COLUMN_ALIASES, REQUIRED_ITEM_COLUMNS, type ItemRow } from './items.js';
import { buildExamItemCodeSystem, examItemId } from './cs-exam-item.js';
import { parseTsv } from '../tsv.js';
import { normaliseName } from '../names.js';

export interface ReleaseTable {
  file: string;
  header: string[];
  rows: ItemRow[];
}

function decode(buf: Buffer): string {
  const text = buf.toString('utf8');
  // Chinese CSV exports are often GB 18030; invalid UTF-8 shows up as U+FFFD.
  return text.includes('\uFFFD') ? iconv.decode(buf, 'gb18030') : text;
}

function canonicalHeader(h: string): string {
  const t = h.replace(/^\uFEFF/, '').trim();
  return ITEM_COLUMN_ALIASES[t] ?? t;
}

/** Rows of a spreadsheet as strings (numbers keep no leading zeros: items.ts pads them back). */
function sheetRows(wb: XLSX.WorkBook, sheet?: string): string[][] {
  const name = sheet ?? (wb.SheetNames.includes('汇总') ? '汇总' : wb.SheetNames[0]!);
  const ws = wb.Sheets[name];
  if (!ws) throw new Error(`sheet "${name}" not found (sheets: ${wb.SheetNames.join(', ')})`);
  return XLSX.utils.sheet_to_json<string[]>(ws, { header: 1, raw: false, defval: '', blankrows: false });
}

export function readReleaseTable(path: string, sheet?: string): ReleaseTable {
  const file = basename(path);
  const ext = extname(path).toLowerCase();
  let matrix: string[][];
  if (ext === '.tsv' || ext === '.txt') {
    const t = parseTsv(decode(readFileSync(path)), file);
    matrix = [t.header, ...t.rows.map((r) => t.header.map((h) => r.values[h] ?? ''))];
  } else if (ext === '.csv') {
    matrix = sheetRows(XLSX.read(decode(readFileSync(path)), { type: 'string', raw: true }), sheet);
  } else if (ext === '.xlsx' || ext === '.xls') {
    matrix = sheetRows(XLSX.read(readFileSync(path), { type: 'buffer' }), sheet);
  } else {
    throw new Error(`unsupported release format "${ext}": use .xlsx, .csv or .tsv`);
  }
  const header = (matrix[0] ?? []).map((h) => canonicalHeader(String(h)));
  const missing = REQUIRED_ITEM_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new Error(`${file}: missing columns ${missing.join(', ')} (expected 项目编码, 项目标准名, 模态 … or the TSV's code, name, modality …)`);
  const rows: ItemRow[] = [];
  matrix.slice(1).forEach((cells, i) => {
    if (cells.every((c) => String(c).trim() === '')) return;
    const values: Record<string, string> = {};
    header.forEach((h, j) => (values[h] = String(cells[j] ?? '')));
    rows.push({ line: i + 2, values });
  });
  return { file, header, rows };
}

export interface ReleaseDiff {
  added: Array<{ code: string; display: string }>;
  removed: Array<{ code: string; display: string }>;
  renamed: Array<{ code: string; from: string; to: string }>;
  /** Same name (ignoring *, spaces, bracket widths) under a new code. */
  recoded: Array<{ from: string; to: string; display: string }>;
}

function displays(cs: CodeSystem): Map<string, string> {
  return new Map((cs.concept ?? []).map((c) => [c.code, c.display ?? '']));
}

export function diffReleases(previous: CodeSystem, next: CodeSystem): ReleaseDiff {
  const a = displays(previous);
  const b = displays(next);
  const added = [...b].filter(([c]) => !a.has(c)).map(([code, display]) => ({ code, display }));
  const removed = [...a].filter(([c]) => !b.has(c)).map(([code, display]) => ({ code, display }));
  const renamed = [...b].filter(([c, d]) => a.has(c) && a.get(c) !== d).map(([code, to]) => ({ code, from: a.get(code)!, to }));
  const removedByName = new Map(removed.map((r) => [normaliseName(r.display), r.code]));
  const recoded = added.flatMap((x) => {
    const from = removedByName.get(normaliseName(x.display));
    return from ? [{ from, to: x.code, display: x.display }] : [];
  });
  return { added, removed, renamed, recoded };
}

export function renderDiff(prevVersion: string, nextVersion: string, d: ReleaseDiff): string {
  const lines = [`# Exam items ${prevVersion} → ${nextVersion}`, '', `added ${d.added.length}, removed ${d.removed.length}, renamed ${d.renamed.length}, re-coded (same name, new code) ${d.recoded.length}`, ''];
  const section = (title: string, rows: string[]) => lines.push(`## ${title}: ${rows.length}`, '', ...(rows.length ? rows : ['(none)']), '');
  section('Added', d.added.map((x) => `- \`${x.code}\` ${x.display}`));
  section('Removed', d.removed.map((x) => `- \`${x.code}\` ${x.display}`));
  section('Renamed', d.renamed.map((x) => `- \`${x.code}\` ${x.from} → ${x.to}`));
  section('Re-coded', d.recoded.map((x) => `- \`${x.from}\` → \`${x.to}\` ${x.display}`));
  return lines.join('\n');
}

export interface ImportOptions {
  inPath: string;
  version: string;
  previous: CodeSystem;
  tablesDir: string;
  base: string;
  sheet?: string;
}

export interface ImportResult {
  id: string;
  codeSystem: CodeSystem;
  report: BuildReport;
  diff: ReleaseDiff;
  text: string;
}

export function importRelease(o: ImportOptions): ImportResult {
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(o.version)) throw new Error(`version "${o.version}" must be letters, digits, dots and dashes (e.g. V3.9)`);
  if (o.version === o.previous.version) throw new Error(`version ${o.version} is the previous version; choose a new one`);
  const table = readReleaseTable(o.inPath, o.sheet);
  const src = new SourceTables(o.tablesDir);
  const report = new BuildReport();
  const dictionaries = loadDictionaries({ src, report: new BuildReport(), corrections: loadCorrections(src) });
  const items = readExamItems({ file: table.file, rows: table.rows, dictionaries, report, version: o.version });
  const codeSystem = buildExamItemCodeSystem({ base: o.base, version: o.version, items, source: `${table.file}, imported with npm run import:release (${table.rows.length} rows, ${items.length} published)` });
  const diff = diffReleases(o.previous, codeSystem);
  const text = [
    renderDiff(o.previous.version ?? '?', o.version, diff),
    '',
    renderReport(report, [`Source: ${table.file}; ${table.rows.length} rows read, ${items.length} items published as ${examItemId(o.version)}.`]),
  ].join('\n');
  return { id: examItemId(o.version), codeSystem, report, diff, text };
}
