/**
 * `npm run bench`: the whole suite in one run (issue 9). Every figure is printed next to its target
 * and written to bench/results/latest.md + latest.json.
 *
 * Flags (env in brackets): --duration S [BENCH_DURATION] load seconds per round (default 2)
 *   --warmup S [BENCH_WARMUP] (2)  --rounds N [BENCH_ROUNDS] (3)  --connections N [BENCH_CONNECTIONS] (10)
 *   --probe N [BENCH_PROBE] sequential latency samples (1000)  --startup-rounds N [BENCH_STARTUP_ROUNDS] (3)
 *   --server auto|dist|tsx [BENCH_SERVER]  --only lookup,expand-filter,… (HTTP operations subset)
 *   --skip http,lean,hl7,matching  --names N names for the bulk run (250000)  --out DIR (bench/results)
 */
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runHttpBench } from './lib/http-bench.js';
import { runHl7Bench } from './lib/hl7-section.js';
import { describeMachine } from './lib/machine.js';
import { runMatchingBench } from './lib/matching-section.js';
import { REPO } from './lib/processes.js';
import { toConsole, updateDocTable, writeReport, type BenchReport, type Row } from './lib/report.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string' },
    warmup: { type: 'string' },
    rounds: { type: 'string' },
    connections: { type: 'string' },
    probe: { type: 'string' },
    'startup-rounds': { type: 'string' },
    server: { type: 'string' },
    only: { type: 'string' },
    skip: { type: 'string' },
    names: { type: 'string' },
    out: { type: 'string' },
  },
});

function num(flag: string | undefined, env: string, fallback: number): number {
  const raw = flag ?? process.env[env];
  const v = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(v) || v < 0) throw new Error(`bad value for ${env}: ${raw}`);
  return v;
}

const settings = {
  durationSec: num(values.duration, 'BENCH_DURATION', 2),
  warmupSec: num(values.warmup, 'BENCH_WARMUP', 1),
  rounds: Math.max(1, num(values.rounds, 'BENCH_ROUNDS', 3)),
  connections: Math.max(1, num(values.connections, 'BENCH_CONNECTIONS', 10)),
  probeSamples: Math.max(10, num(values.probe, 'BENCH_PROBE', 1000)),
  startupRounds: Math.max(1, num(values['startup-rounds'], 'BENCH_STARTUP_ROUNDS', 3)),
  bulkNames: Math.max(1, num(values.names, 'BENCH_NAMES', 250_000)),
};
const server = (values.server ?? process.env.BENCH_SERVER ?? 'auto') as 'auto' | 'dist' | 'tsx';
if (!['auto', 'dist', 'tsx'].includes(server)) throw new Error(`--server must be auto, dist or tsx`);
const skip = new Set((values.skip ?? process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const outDir = values.out ?? join(REPO, 'bench/results');
const workDir = join(REPO, '.tmp/bench');
rmSync(workDir, { recursive: true, force: true });

const log = (line: string): void => console.error(`[bench] ${line}`);
const rows: Row[] = [];
const notes: string[] = [];
const raw: Record<string, unknown> = {};
const machine = describeMachine();
log(`${machine.nproc} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node}`);

async function section(name: string, run: () => Promise<{ rows: Row[]; notes: string[]; raw: unknown }>): Promise<void> {
  if (skip.has(name)) {
    notes.push(`${name}: skipped by --skip`);
    return;
  }
  const t0 = performance.now();
  try {
    const result = await run();
    rows.push(...result.rows);
    notes.push(...result.notes.map((n) => `${name}: ${n}`));
    raw[name] = result.raw;
  } catch (err) {
    rows.push({ section: name, metric: '(section failed)', measured: '—', note: (err as Error).message.split('\n')[0]! });
    raw[name] = { error: String((err as Error).stack ?? err) };
    log(`${name} failed: ${(err as Error).stack ?? String(err)}`);
  }
  log(`${name} section took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

await section('http', () =>
  runHttpBench({ ...settings, server, skipLean: skip.has('lean'), workDir: join(workDir, 'http'), log, ...(values.only ? { only: values.only.split(',') } : {}) }),
);
await section('hl7', () => runHl7Bench({ durationSec: settings.durationSec, rounds: settings.rounds, log }));
await section('matching', () => runMatchingBench({ bulkNames: settings.bulkNames, workDir: join(workDir, 'matching'), log }));

const report: BenchReport = {
  machine,
  settings: { ...settings, server, skip: [...skip].join('+') || 'none' },
  rows,
  notes,
  raw,
  loadAvgAtEnd: Math.round(loadavg()[0]! * 100) / 100,
};
if (machine.loadAvgAtStart > machine.nproc / 2) {
  notes.push(`the machine was busy (load average ${machine.loadAvgAtStart} on ${machine.nproc} cores at start): absolute figures are low and ratios noisy; re-run on an idle machine`);
}
console.log(toConsole(report));
const written = writeReport(report, outDir);
log(`written ${written.md} and ${written.json}`);
// Keep docs/bench.md's table current, but only for a full default run written to the default place.
if (!values.out && !values.only && skip.size === 0 && updateDocTable(report, join(REPO, 'docs/bench.md'))) log('updated the table in docs/bench.md');
