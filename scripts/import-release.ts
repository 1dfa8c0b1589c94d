/**
 * npm run import:release -- --in <file.xlsx|.csv|.tsv> --version <V> [--previous V3.8.2] [--sheet 汇总] [--root .]
 * Writes codesystems/exam-item-<V>.json (same url, new version) and docs/releases/exam-item-<prev>-to-<V>.md,
 * and prints the report (added / removed / renamed items, and every row corrected or rejected).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CodeSystem } from 'fhir/r4';
import { importRelease } from '../src/standard/build/release.js';
import { examItemId } from '../src/standard/build/cs-exam-item.js';
import { serialise } from '../src/standard/build/index.js';
import { canonicalBase, EXAM_ITEM_VERSION } from '../src/standard/canonical.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    in: { type: 'string' },
    version: { type: 'string' },
    previous: { type: 'string', default: EXAM_ITEM_VERSION },
    sheet: { type: 'string' },
    root: { type: 'string', default: repo },
  },
});
if (!values.in || !values.version) {
  console.error('usage: npm run import:release -- --in <file.xlsx|.csv|.tsv> --version <V> [--previous V3.8.2] [--sheet name]');
  process.exit(2);
}
const root = resolve(values.root!);
const previousPath = join(root, 'codesystems', `${examItemId(values.previous!)}.json`);
if (!existsSync(previousPath)) {
  console.error(`previous version not found: ${previousPath}`);
  process.exit(2);
}
try {
  const previous = JSON.parse(readFileSync(previousPath, 'utf8')) as CodeSystem;
  const result = importRelease({
    inPath: resolve(values.in),
    version: values.version,
    previous,
    tablesDir: join(repo, 'standard-tables'),
    base: canonicalBase(),
    sheet: values.sheet,
  });
  const csPath = join(root, 'codesystems', `${result.id}.json`);
  const reportPath = join(root, 'docs', 'releases', `exam-item-${values.previous}-to-${values.version}.md`);
  mkdirSync(dirname(reportPath), { recursive: true });
  writeFileSync(csPath, serialise(result.codeSystem));
  writeFileSync(reportPath, result.text + '\n');
  console.log(result.text);
  console.log(`\nwrote ${csPath}\nwrote ${reportPath}`);
} catch (err) {
  console.error(`import failed: ${(err as Error).message}`);
  process.exit(1);
}
