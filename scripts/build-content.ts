/**
 * npm run build:content — regenerates codesystems/, valuesets/ and conformance/conceptmaps/ from
 * standard-tables/ and writes content-build-report.md. CANONICAL_BASE overrides the base URL.
 * Usage: npm run build:content [-- --check]   (--check: fail if committed files differ, write nothing)
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildContent, serialise } from '../src/standard/build/index.js';
import { renderReport } from '../src/standard/build/report.js';
import { canonicalBase } from '../src/standard/canonical.js';
import { listGenerated, isImportedRelease } from '../src/standard/build/files.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const base = canonicalBase();
const build = buildContent({ tablesDir: join(root, 'standard-tables'), base });
const reportText = renderReport(build.report, build.summary);

let stale = 0;
for (const f of build.files) {
  const path = join(root, f.path);
  const text = serialise(f.resource);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === text) continue;
  stale++;
  if (check) {
    console.error(`out of date: ${f.path}`);
    continue;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${f.path}`);
}
// Files in the generated folders that this build no longer produces. Imported releases
// (codesystems/exam-item-<version>.json from npm run import:release) are kept.
const produced = new Set(build.files.map((f) => f.path));
for (const stray of listGenerated(root).filter((p) => !produced.has(p) && !isImportedRelease(p))) {
  stale++;
  if (check) console.error(`not produced by the build: ${stray}`);
  else {
    unlinkSync(join(root, stray));
    console.log(`removed ${stray}`);
  }
}
if (!check) writeFileSync(join(root, 'content-build-report.md'), reportText + '\n');
console.log(reportText);
console.log(`\n${build.files.length} resources, ${stale} ${check ? 'out of date' : 'written'}; corrections ${build.report.count('correction')}, rejections ${build.report.count('rejection')}, warnings ${build.report.count('warning')}, decisions ${build.report.count('decision')}`);
if (check && stale > 0) process.exit(1);
