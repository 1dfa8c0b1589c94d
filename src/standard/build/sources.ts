import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readTsv, type TsvTable } from '../tsv.js';

/** Reads the source tables of the standard from one folder (standard-tables/ in the repo). */
export class SourceTables {
  private readonly cache = new Map<string, TsvTable>();
  constructor(readonly dir: string) {}

  table(file: string): TsvTable {
    let t = this.cache.get(file);
    if (!t) {
      const path = join(this.dir, file);
      if (!existsSync(path)) throw new Error(`source table missing: ${path}`);
      t = readTsv(path, file);
      this.cache.set(file, t);
    }
    return t;
  }
}

/** Applies the reviewed corrections in corrections.tsv (file, code, field, from, to, reason). */
export interface ManualCorrection {
  line: number;
  file: string;
  code: string;
  field: string;
  from: string;
  to: string;
  reason: string;
}

export function loadCorrections(src: SourceTables): ManualCorrection[] {
  return src.table('corrections.tsv').rows.map((r) => ({
    line: r.line,
    file: r.values.file ?? '',
    code: r.values.code ?? '',
    field: r.values.field ?? '',
    from: r.values.from ?? '',
    to: r.values.to ?? '',
    reason: r.values.reason ?? '',
  }));
}
