import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { examItemsFromTsv } from '../../src/matching/items.js';
import { createMatcher, type StandardisationEngine } from '../../src/matching/matcher.js';
import type { MatchResult } from '../../src/matching/types.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const TSV = join(ROOT, 'standard-tables/items-v3.8.2.tsv');
export const SHARED = resolve(ROOT, '../shared');

let engine: StandardisationEngine | undefined;
export function matcher(): StandardisationEngine {
  engine ??= createMatcher(examItemsFromTsv(TSV));
  return engine;
}

/** Top code per exam, joined by '+' (as the CSV tool writes it). */
export function codes(r: MatchResult): string {
  return r.exams.filter((e) => e.decision !== 'none').map((e) => e.candidates[0]?.code ?? '').join('+');
}

export function run(name: string, options = {}): { codes: string; decision: string; result: MatchResult } {
  const result = matcher().match(name, options);
  return { codes: codes(result), decision: result.decision, result };
}
