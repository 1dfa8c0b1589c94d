/**
 * npm run eval:matching [-- --file <set.tsv>] [--verbose]
 * Scores the standardisation engine on the labelled sets and prints the figures per set:
 * 1. the dev set `../shared/matching/dev-set.tsv` (whole set and even/odd id halves); skipped with a
 *    SKIP-PEER line when `../shared` is absent;
 * 2. the challenge set `test/fixtures/matching/challenge-set.tsv` (in the repo, always run): whole set,
 *    split into CT/MR/X-ray labels and US/PET/SPECT extension labels, and failures per name form;
 * 3. the post-fix probe `test/fixtures/matching/post-fix-probe.tsv` the same way;
 * 4. probe 2 `test/fixtures/matching/probe2.tsv` (148 HIS/RIS names labelled before the engine ran on them);
 * 5. the extension probes `test/fixtures/matching/ext-probe.tsv`, `ext-probe2.tsv` and `ext-probe3.tsv` (US/PET/SPECT names and
 *    controls, each labelled and committed before the extension matcher ran on it).
 * The engine is built with the extension matcher over the published US/PET/SPECT CodeSystems, as the server does.
 * With --file, only that file is scored.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate, formatReport, idHalf, parseLabelledSet, type EvalReport, type LabelledRow } from '../src/matching/evaluate.js';
import { loadDefaultItems } from '../src/matching/load.js';
import { createMatcher } from '../src/matching/matcher.js';
import { loadDefaultExtensionItems } from '../src/matching/extensions/items.js';
import { ExtensionMatcher } from '../src/matching/extensions/matcher.js';
import type { ExamNameMatcher } from '../src/matching/types.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const verbose = args.includes('--verbose');
const DEV_SET = resolve(root, '../shared/matching/dev-set.tsv');
const CHALLENGE_SET = resolve(root, 'test/fixtures/matching/challenge-set.tsv');
/** Names written after the engine's generalisation rules were drafted, before the changed engine ran on them. */
const PROBE_SET = resolve(root, 'test/fixtures/matching/post-fix-probe.tsv');
/** A second probe, written and committed before the engine ran on it (see docs/matching.md). */
const PROBE2_SET = resolve(root, 'test/fixtures/matching/probe2.tsv');
/** US/PET/SPECT names (and controls), committed before the extension matcher ran on them. */
const EXT_PROBE_SET = resolve(root, 'test/fixtures/matching/ext-probe.tsv');
/** 48 more, written after the extension rules were fixed on the first, committed before the matcher ran on them. */
const EXT_PROBE2_SET = resolve(root, 'test/fixtures/matching/ext-probe2.tsv');
/** 156 more in new forms (prefixes, billing wordings, English, weeks, tracers …), committed before the matcher ran on them. */
const EXT_PROBE3_SET = resolve(root, 'test/fixtures/matching/ext-probe3.tsv');

/** Extension items (US 50…, PET A…/B…, SPECT C…) are not in the exam-item CodeSystem the engine reads. */
const isExtensionCode = (code: string) => code.length !== 14 || code.startsWith('50');
const isExtensionRow = (row: LabelledRow) => row.expected.some((alts) => alts.some(isExtensionCode));

/** The `source` column (how the name's form was chosen), by id; absent in the dev set. */
function sourcesById(text: string): Map<string, string> {
  const lines = text.replace(/^\uFEFF/, '').split('\n').filter((l) => l.trim());
  const header = (lines[0] ?? '').split('\t');
  const [ci, cs] = [header.indexOf('id'), header.indexOf('source')];
  const m = new Map<string, string>();
  if (ci < 0 || cs < 0) return m;
  for (const line of lines.slice(1)) {
    const cells = line.split('\t');
    m.set(cells[ci] ?? '', cells[cs] ?? '');
  }
  return m;
}

function printFailures(report: EvalReport, sources?: Map<string, string>): void {
  for (const f of report.failures) {
    const e = f.row.expected.map((g) => g.join('|')).join(' + ');
    const tag = sources ? `[${sources.get(f.row.id) ?? ''}] ` : '';
    console.log(`${f.auto ? 'AUTO ' : '     '}${f.row.kind}\t${tag}${f.row.name}\texpected ${e}\tgot ${f.predicted.join('+') || '-'} [${f.result.exams.map((x) => x.candidates[0]?.display ?? '').join(' + ')}] ${f.result.decision}`);
  }
}

function failuresBySource(report: EvalReport, rows: LabelledRow[], sources: Map<string, string>): string {
  const total = new Map<string, number>();
  const failed = new Map<string, number>();
  for (const r of rows) if (r.kind !== 'unsure') total.set(sources.get(r.id) ?? '', (total.get(sources.get(r.id) ?? '') ?? 0) + 1);
  for (const f of report.failures) failed.set(sources.get(f.row.id) ?? '', (failed.get(sources.get(f.row.id) ?? '') ?? 0) + 1);
  return [...total.entries()]
    .sort((a, b) => (failed.get(b[0]) ?? 0) - (failed.get(a[0]) ?? 0))
    .map(([s, n]) => `    ${String(failed.get(s) ?? 0).padStart(3)} of ${String(n).padStart(3)}  ${s}`)
    .join('\n');
}

function scoreDevSet(matcher: ExamNameMatcher, path: string): void {
  const rows = parseLabelledSet(readFileSync(path, 'utf8'));
  console.log(`\n== dev set: ${path}`);
  const all = evaluate(matcher, rows);
  console.log(formatReport('all', all));
  console.log(formatReport('even half (tuning)', evaluate(matcher, rows.filter((r) => idHalf(r.id) === 'even'))));
  console.log(formatReport('odd half (check)', evaluate(matcher, rows.filter((r) => idHalf(r.id) === 'odd'))));
  if (verbose) printFailures(all);
}

function scoreChallengeSet(matcher: ExamNameMatcher, path: string, label = 'challenge set'): void {
  const text = readFileSync(path, 'utf8');
  const rows = parseLabelledSet(text);
  const sources = sourcesById(text);
  console.log(`\n== ${label}: ${relative(root, path)}`);
  const all = evaluate(matcher, rows);
  console.log(formatReport('all', all));
  console.log(formatReport('CT/MR/X-ray labels, none and unsure rows', evaluate(matcher, rows.filter((r) => !isExtensionRow(r)))));
  console.log(formatReport('US/PET/SPECT extension labels', evaluate(matcher, rows.filter(isExtensionRow))));
  console.log(`  failures per name form (failed of scored rows):\n${failuresBySource(all, rows, sources)}`);
  if (verbose) printFailures(all, sources);
}

const file = arg('--file');
const devPath = file ?? DEV_SET;
const { items, source } = loadDefaultItems(root);
const extensionItems = loadDefaultExtensionItems(root);
const matcher = createMatcher(items, { extensions: new ExtensionMatcher(extensionItems) });
console.log(`items: ${items.length} from ${source}; extension items (US/PET/SPECT): ${extensionItems.length}`);
if (file) {
  if (!existsSync(file)) {
    console.log(`SKIP-PEER: dev set not found (${file}), skipped`);
    process.exit(0);
  }
  if (sourcesById(readFileSync(file, 'utf8')).size > 0) scoreChallengeSet(matcher, resolve(file));
  else scoreDevSet(matcher, file);
} else {
  if (existsSync(devPath)) scoreDevSet(matcher, devPath);
  else console.log(`\nSKIP-PEER: dev set not found (${devPath}; it lives in ../shared), dev-set figures skipped`);
  scoreChallengeSet(matcher, CHALLENGE_SET);
  if (existsSync(PROBE_SET)) scoreChallengeSet(matcher, PROBE_SET, 'post-fix probe');
  if (existsSync(PROBE2_SET)) scoreChallengeSet(matcher, PROBE2_SET, 'probe 2');
  if (existsSync(EXT_PROBE_SET)) scoreChallengeSet(matcher, EXT_PROBE_SET, 'extension probe');
  if (existsSync(EXT_PROBE2_SET)) scoreChallengeSet(matcher, EXT_PROBE2_SET, 'extension probe 2');
  if (existsSync(EXT_PROBE3_SET)) scoreChallengeSet(matcher, EXT_PROBE3_SET, 'extension probe 3');
}
