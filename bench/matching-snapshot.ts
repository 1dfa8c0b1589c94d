/**
 * Result guard for speed work on the matcher: writes the engine's full answer (decision, codes,
 * rounded scores, facets) for the dev set and for the names the bench times, one JSON line per
 * name, so an optimisation can be checked to change no result (`diff` two snapshots).
 *
 *   npx tsx bench/matching-snapshot.ts > before.jsonl   # … change … then again > after.jsonl
 *
 * Inputs: ../shared/matching/dev-set.tsv (when present; plain, with a modality option, and with
 * limit 12 so the order of every kept candidate is guarded), the bench's 20,000 messy names
 * (bench/lib/names.ts, as bench/lib/matching-section.ts times them) and 20,000 of src/matching's
 * syntheticNames (noise tags, width variants, device hints, tags).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMatcher, loadDefaultItems, syntheticNames } from '../src/matching/index.js';
import { messyNames, standardNames } from './lib/names.js';
import { REPO } from './lib/processes.js';

const { items } = loadDefaultItems(REPO);
const matcher = createMatcher(items);
const out: string[] = [];
const emit = (set: string, name: string, options: Record<string, unknown> = {}): void => {
  out.push(JSON.stringify({ set, options, result: matcher.match(name, options) }));
};

const devSet = join(REPO, '../shared/matching/dev-set.tsv');
if (existsSync(devSet)) {
  const lines = readFileSync(devSet, 'utf8').split('\n').slice(1).filter(Boolean);
  for (const line of lines) {
    const name = line.split('\t')[1] ?? '';
    emit('dev', name);
    emit('dev', name, { limit: 12 });
    for (const modality of ['CT', 'MR', 'DR', '4']) emit('dev', name, { modality });
  }
} else {
  console.error(`dev set not found (${devSet}): snapshot without it`);
}
for (const name of messyNames(20_000)) emit('bench', name);
for (const name of syntheticNames(standardNames(), 20_000)) emit('synthetic', name, { limit: 12 });
process.stdout.write(`${out.join('\n')}\n`);
console.error(`${out.length} answers`);
