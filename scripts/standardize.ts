/**
 * npm run standardize -- --in <file> --out <file> [--workers N] [--format auto|text|csv] [--column name]
 *                        [--sender ID] [--modality CT|MR|DR|MG|RF]
 * Input: UTF-8 text, one name per line, or CSV with a `name` column. Output: CSV with header
 * input,code,display,score,decision,… (several exams on a line: codes joined by `+`).
 * Streams the input; with --workers > 1 batches go to worker threads (one matcher each).
 */
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BULK_HEADER, formatRow, parseCsvLine } from '../src/matching/bulk.js';
import { createDefaultMatcher } from '../src/matching/load.js';
import type { ExamNameMatcher, MatchOptions } from '../src/matching/types.js';
import { LearnedMappings, withLearned } from '../src/matching/learned.js';
import { loadConfig } from '../src/config.js';
import { createStore } from '../src/store/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const inPath = arg('--in');
const outPath = arg('--out');
if (!inPath || !outPath) {
  console.error('usage: npm run standardize -- --in <names.txt|names.csv> --out <result.csv> [--workers N] [--format auto|text|csv] [--column name] [--sender ID] [--modality CT]');
  process.exit(2);
}
const sender = arg('--sender');
// With a sender, its learned mappings (from the configured store) answer first; that runs in this thread.
const workers = sender ? 1 : Math.max(1, Number(arg('--workers') ?? Math.min(2, availableParallelism())));
const format = arg('--format') ?? 'auto';
const column = (arg('--column') ?? 'name').toLowerCase();
const options: MatchOptions = { ...(arg('--sender') ? { sender: arg('--sender') as string } : {}), ...(arg('--modality') ? { modality: arg('--modality') as string } : {}) };
const BATCH = 2000;

const total = statSync(inPath).size;
const explicitWorkers = arg('--workers') !== undefined;
const input = createReadStream(inPath, { encoding: 'utf8' });
const out = createWriteStream(outPath, { encoding: 'utf8' });
out.write('\uFEFF' + BULK_HEADER.join(',') + '\n');

/* progress (TTY: one redrawn bar; otherwise a line per 10%) */
const started = Date.now();
let names = 0;
let lastDraw = 0;
let lastDecile = -1;
function progress(final = false): void {
  const frac = total ? Math.min(1, input.bytesRead / total) : 1;
  const rate = Math.round(names / Math.max(0.001, (Date.now() - started) / 1000));
  if (process.stderr.isTTY) {
    if (!final && Date.now() - lastDraw < 100) return;
    lastDraw = Date.now();
    const w = 30;
    const bar = '#'.repeat(Math.round(frac * w)).padEnd(w, '.');
    process.stderr.write(`\r[${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${names.toLocaleString('en')} names ${rate.toLocaleString('en')}/s${final ? '\n' : ''}`);
  } else {
    const decile = Math.floor(frac * 10);
    if (decile > lastDecile) {
      lastDecile = decile;
      process.stderr.write(`standardize: ${(frac * 100).toFixed(0)}% ${names} names ${rate}/s\n`);
    }
  }
}

/* ordered output of batches answered in any order */
const done = new Map<number, string[]>();
let nextToWrite = 0;
function deliver(seq: number, rows: string[]): void {
  done.set(seq, rows);
  while (done.has(nextToWrite)) {
    const r = done.get(nextToWrite) as string[];
    done.delete(nextToWrite);
    if (r.length) out.write(r.join('\n') + '\n');
    names += r.length;
    nextToWrite++;
  }
  progress();
}

type Runner = { send(seq: number, batch: string[]): void; pending(): number; close(): Promise<void> };

async function inProcess(): Promise<Runner> {
  let matcher: ExamNameMatcher = createDefaultMatcher(root);
  let close = async (): Promise<void> => {};
  if (sender) {
    const config = loadConfig();
    const store = await createStore({ dataDir: config.store.dataDir, ...(config.store.mongodbUri ? { mongodbUri: config.store.mongodbUri } : {}) });
    const learned = new LearnedMappings(store.resources);
    const maps = await learned.load();
    console.error(`standardize: learned mappings of ${maps} sender map(s) loaded from the ${store.kind} store; using sender ${sender}`);
    matcher = withLearned(matcher, learned);
    close = () => store.close();
  }
  return {
    send: (seq, batch) => deliver(seq, batch.map((n) => formatRow(matcher.match(n, options)))),
    pending: () => 0,
    close,
  };
}

async function pool(n: number): Promise<Runner> {
  const url = new URL('../src/matching/bulk-worker.ts', import.meta.url);
  const threads = await Promise.all(Array.from({ length: n }, () => new Promise<{ w: Worker; inFlight: number }>((ok, fail) => {
    // The worker is TypeScript: register tsx's loader inside the worker, then import it.
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
    const w = new Worker(boot, { eval: true, workerData: { root, options } });
    const t = { w, inFlight: 0 };
    w.once('error', fail);
    w.on('message', (m: { ready?: boolean; seq?: number; rows?: string[] }) => {
      if (m.ready) ok(t);
      else {
        t.inFlight--;
        deliver(m.seq as number, m.rows as string[]);
        drained?.();
      }
    });
  })));
  let drained: (() => void) | undefined;
  return {
    send(seq, batch) {
      const t = threads.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      t.inFlight++;
      t.w.postMessage({ seq, names: batch });
    },
    pending: () => threads.reduce((s, t) => s + t.inFlight, 0),
    async close() {
      while (threads.some((t) => t.inFlight > 0)) await new Promise<void>((ok) => (drained = ok));
      await Promise.all(threads.map((t) => t.w.terminate()));
    },
  };
}

// Starting worker threads costs about a second: small files are faster in this thread.
const threads = workers > 1 && (explicitWorkers || total > 512 * 1024) ? workers : 1;
const runner = threads > 1 ? await pool(threads) : await inProcess();
const lines = createInterface({ input, crlfDelay: Infinity });
let seq = 0;
let batch: string[] = [];
let first = true;
let nameIndex = -1;
for await (const raw of lines) {
  let line = raw.replace(/^\uFEFF/, '');
  if (first) {
    first = false;
    const header = parseCsvLine(line).map((h) => h.trim().toLowerCase());
    if (format === 'csv' || (format === 'auto' && header.length > 1 && header.includes(column)) || (format === 'auto' && header.length === 1 && header[0] === column)) {
      nameIndex = header.indexOf(column);
      if (nameIndex < 0) throw new Error(`CSV input has no '${column}' column`);
      continue;
    }
  }
  if (nameIndex >= 0) line = parseCsvLine(line)[nameIndex] ?? '';
  if (!line.trim()) continue;
  batch.push(line.trim());
  if (batch.length >= BATCH) {
    runner.send(seq++, batch);
    batch = [];
    while (runner.pending() > workers * 4) await new Promise((ok) => setTimeout(ok, 2));
  }
}
if (batch.length) runner.send(seq++, batch);
await runner.close();
progress(true);
await new Promise<void>((ok) => out.end(ok));
const secs = (Date.now() - started) / 1000;
console.error(`standardize: ${names} names in ${secs.toFixed(1)} s (${Math.round(names / Math.max(secs, 0.001))} names/s, ${threads > 1 ? `${threads} worker threads` : 'in process'}) → ${outPath}`);
