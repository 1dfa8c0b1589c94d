/**
 * Child process of the matching bench: builds the matcher from the repository's content
 * (src/matching's own loadDefaultItems + createDefaultMatcher, i.e. with the US/PET/SPECT extension matcher
 * as the server builds it) and times it with src/matching's
 * measureSpeed over the names in the given file (one per line).
 * Prints one JSON line: SpeedResult + { autoShare } or { error }.
 */
import { readFileSync } from 'node:fs';
import { loadDefaultItems, measureSpeed } from '../src/matching/index.js';
import { createDefaultMatcher } from '../src/matching/load.js';
import { REPO } from './lib/processes.js';

try {
  const names = readFileSync(process.argv[2]!, 'utf8').split('\n').filter(Boolean);
  const { items, source } = loadDefaultItems(REPO);
  const matcher = createDefaultMatcher(REPO);
  const speed = measureSpeed(matcher, names);
  let auto = 0;
  for (const n of names.slice(0, 5000)) if (matcher.match(n).decision === 'auto') auto++;
  console.log(JSON.stringify({ ...speed, items: items.length, source, autoShare: auto / Math.min(5000, names.length) }));
} catch (err) {
  console.log(JSON.stringify({ error: String((err as Error).message ?? err) }));
}
