/**
 * Child process of the matching bench: builds the matcher from the repository's content, then
 * times `match()` over the names in the given file (one per line) after a warm-up pass.
 * Prints one JSON line: { namesPerSec, names, factory } or { error }.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExamNameMatcher } from '../src/matching/types.js';
import { REPO } from './lib/processes.js';

type Factory = () => Promise<ExamNameMatcher> | ExamNameMatcher;

async function findFactory(): Promise<{ name: string; create: Factory } | undefined> {
  for (const file of ['src/matching/index.ts', 'src/matching/matcher.ts']) {
    if (!existsSync(join(REPO, file))) continue;
    const mod = (await import(join(REPO, file))) as Record<string, unknown>;
    for (const name of ['createDefaultMatcher', 'loadDefaultMatcher', 'createMatcherFromRepo']) {
      if (typeof mod[name] === 'function') return { name: `${file}:${name}`, create: mod[name] as Factory };
    }
  }
  return undefined;
}

const names = readFileSync(process.argv[2]!, 'utf8').split('\n').filter(Boolean);
const factory = await findFactory();
if (!factory) {
  console.log(JSON.stringify({ error: 'no matcher factory exported from src/matching yet' }));
  process.exit(0);
}
const matcher = await factory.create();
for (const n of names.slice(0, 2000)) matcher.match(n);
const t0 = performance.now();
let auto = 0;
for (const n of names) if (matcher.match(n).decision === 'auto') auto++;
const sec = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ namesPerSec: names.length / sec, names: names.length, factory: factory.name, autoShare: auto / names.length }));
