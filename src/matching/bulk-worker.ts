/** Worker thread of the bulk command: builds its own matcher, answers batches of names with CSV rows. */
import { parentPort, workerData } from 'node:worker_threads';
import { createDefaultMatcher } from './load.js';
import { formatRow } from './bulk.js';
import type { MatchOptions } from './types.js';

const { root, options } = workerData as { root: string; options: MatchOptions };
const matcher = createDefaultMatcher(root);
parentPort?.on('message', (batch: { seq: number; names: string[] }) => {
  const rows = batch.names.map((n) => formatRow(matcher.match(n, options)));
  parentPort?.postMessage({ seq: batch.seq, rows });
});
parentPort?.postMessage({ ready: true });
