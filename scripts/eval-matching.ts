/**
 * npm run eval:matching [-- --file <dev-set.tsv>] [--verbose]
 * Scores the standardisation engine on a labelled set; prints the figures for the whole set and
 * for the even/odd id halves (tune on even, check on odd).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate, formatReport, idHalf, parseLabelledSet } from '../src/matching/evaluate.js';
import { loadDefaultItems } from '../src/matching/load.js';
import { createMatcher } from '../src/matching/matcher.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = arg('--file') ?? resolve(root, '../shared/matching/dev-set.tsv');
const path = existsSync(file) ? file : undefined;
if (!path) {
  console.log(`dev set not found (${file}), skipped`);
  process.exit(0);
}
const rows = parseLabelledSet(readFileSync(path, 'utf8'));
const { items, source } = loadDefaultItems(root);
const matcher = createMatcher(items);
console.log(`items: ${items.length} from ${source}; dev set: ${path}`);
const all = evaluate(matcher, rows);
console.log(formatReport('all', all));
console.log(formatReport('even half (tuning)', evaluate(matcher, rows.filter((r) => idHalf(r.id) === 'even'))));
console.log(formatReport('odd half (check)', evaluate(matcher, rows.filter((r) => idHalf(r.id) === 'odd'))));
if (args.includes('--verbose')) {
  for (const f of all.failures) {
    const e = f.row.expected.map((g) => g.join('|')).join(' + ');
    console.log(`${f.auto ? 'AUTO ' : '     '}${f.row.kind}\t${f.row.name}\texpected ${e}\tgot ${f.predicted.join('+') || '-'} [${f.result.exams.map((x) => x.candidates[0]?.display ?? '').join(' + ')}] ${f.result.decision}`);
  }
}
