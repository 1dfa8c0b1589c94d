/** Worker thread of the bulk command: builds its own matcher, answers batches of names with CSV rows. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadDefaultItems } from './load.js';
import { createMatcher } from './matcher.js';
import { formatRow } from './bulk.js';
import type { MatchOptions } from './types.js';

const { root, options } = workerData as { root: string; options: MatchOptions };
const matcher = createMatcher(loadDefaultItems(root).items);
parentPort?.on('message', (batch: { seq: number; names: string[] }) => {
  const rows = batch.names.map((n) => formatRow(matcher.match(n, options)));
  parentPort?.postMessage({ seq: batch.seq, rows });
});
parentPort?.postMessage({ ready: true });
