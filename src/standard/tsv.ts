import { readFileSync } from 'node:fs';

/** One data row of a TSV with the 1-based line number it came from (header = line 1), for reports. */
export interface TsvRow {
  line: number;
  values: Record<string, string>;
}

export interface TsvTable {
  file: string;
  header: string[];
  rows: TsvRow[];
}

/** Parses tab-separated text with a header line. Cells are kept verbatim except a trailing CR. */
export function parseTsv(text: string, file: string): TsvTable {
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, ''));
  const header = (lines[0] ?? '').split('\t').map((h) => h.trim());
  const rows: TsvRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i];
    if (raw === undefined || raw.trim() === '') continue;
    const cells = raw.split('\t');
    const values: Record<string, string> = {};
    header.forEach((h, j) => {
      values[h] = cells[j] ?? '';
    });
    rows.push({ line: i + 1, values });
  }
  return { file, header, rows };
}

export function readTsv(path: string, file: string): TsvTable {
  return parseTsv(readFileSync(path, 'utf8'), file);
}
