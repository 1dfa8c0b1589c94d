/**
 * Matching: names/s of the in-process matcher on one core (a child process pinned with taskset
 * when available), and wall time of `npm run standardize` over a generated 250k-name file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { messyNames } from './names.js';
import { REPO } from './processes.js';
import type { Row } from './report.js';

const TARGET_RATE = 20_000;
const TARGET_BULK_SEC = 30;
const RATE_SAMPLE = 20_000;

export interface MatchingSectionOptions {
  bulkNames: number;
  workDir: string;
  log: (line: string) => void;
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

export interface RateResult {
  namesPerCpuSecond?: number;
  namesPerWallSecond?: number;
  names?: number;
  cpuMs?: number;
  wallMs?: number;
  error?: string;
}

/** The first RATE_SAMPLE names of the bulk file: the names the rate row times. */
export function writeRateSample(names: string[], workDir: string): string {
  const sampleFile = join(workDir, 'names-sample.txt');
  writeFileSync(sampleFile, `${names.slice(0, RATE_SAMPLE).join('\n')}\n`);
  return sampleFile;
}

/**
 * One timing of the matcher over `namesFile` in a child process (bench/matching-worker.ts of `repo`),
 * pinned to core 1 with taskset when available. `repo` other than this one lets
 * bench/matching-rate.ts alternate two versions of the engine.
 */
export function measureRate(namesFile: string, repo = REPO): { parsed: RateResult; pin: boolean } {
  const worker = join(repo, 'bench/matching-worker.ts');
  const pin = hasTaskset();
  const args = ['--import', 'tsx', worker, namesFile];
  const r = pin ? spawnSync('taskset', ['-c', '1', process.execPath, ...args], { cwd: repo, encoding: 'utf8' }) : spawnSync(process.execPath, args, { cwd: repo, encoding: 'utf8' });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let parsed: RateResult = {};
  try {
    parsed = JSON.parse(last) as RateResult;
  } catch {
    parsed = { error: (r.stderr || last || `exit ${r.status}`).split('\n').slice(-3).join(' ') };
  }
  return { parsed, pin };
}

function rateRow(namesFile: string): { row: Row; raw: unknown } {
  const target = `≥ ${TARGET_RATE.toLocaleString('en-US')} names/s`;
  const { parsed, pin } = measureRate(namesFile);
  if (parsed.namesPerCpuSecond === undefined) {
    return { row: { section: 'matching', metric: 'names/s, one core', measured: '—', target, note: parsed.error ?? 'not measured' }, raw: parsed };
  }
  // Per CPU-second of the (single-threaded) matcher process: one core's worth, robust to other load.
  const rate = parsed.namesPerCpuSecond;
  return {
    row: {
      section: 'matching',
      metric: `names per CPU-second, one thread (${parsed.names} names${pin ? ', pinned to one core' : ''})`,
      measured: `${Math.round(rate).toLocaleString('en-US')} names/s (wall: ${Math.round(parsed.namesPerWallSecond ?? NaN).toLocaleString('en-US')}/s)`,
      target,
      met: rate >= TARGET_RATE,
      note: rate >= TARGET_RATE ? '' : `${Math.round(TARGET_RATE - rate).toLocaleString('en-US')} names/s short`,
    },
    raw: parsed,
  };
}

function bulkRow(opts: MatchingSectionOptions, namesFile: string): { row: Row; raw: unknown } {
  const target = `< ${TARGET_BULK_SEC} s`;
  const metric = `${opts.bulkNames.toLocaleString('en-US')} names via npm run standardize (wall)`;
  if (!existsSync(join(REPO, 'scripts/standardize.ts'))) {
    return { row: { section: 'matching', metric, measured: '—', target, note: 'scripts/standardize.ts not present yet' }, raw: null };
  }
  const out = join(opts.workDir, 'standardized.tsv');
  const t0 = performance.now();
  const r = spawnSync('npm', ['run', '--silent', 'standardize', '--', '--in', namesFile, '--out', out], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 28 });
  const sec = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    return { row: { section: 'matching', metric, measured: '—', target, note: `standardize exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}` }, raw: { stderr: r.stderr } };
  }
  return {
    row: { section: 'matching', metric, measured: `${sec.toFixed(1)} s (${Math.round(opts.bulkNames / sec).toLocaleString('en-US')} names/s end to end)`, target, met: sec < TARGET_BULK_SEC, note: sec < TARGET_BULK_SEC ? '' : `${(sec - TARGET_BULK_SEC).toFixed(1)} s over` },
    raw: { seconds: sec },
  };
}

export async function runMatchingBench(opts: MatchingSectionOptions): Promise<{ rows: Row[]; notes: string[]; raw: unknown }> {
  mkdirSync(opts.workDir, { recursive: true });
  const names = messyNames(opts.bulkNames);
  const namesFile = join(opts.workDir, 'names.txt');
  writeFileSync(namesFile, `${names.join('\n')}\n`);
  const sampleFile = writeRateSample(names, opts.workDir);
  opts.log(`matching: names/s over ${RATE_SAMPLE} names`);
  const rate = rateRow(sampleFile);
  opts.log(`matching: bulk standardize of ${opts.bulkNames} names`);
  const bulk = bulkRow(opts, namesFile);
  return {
    rows: [rate.row, bulk.row],
    notes: ['input: standard item names from standard-tables/items-v3.8.2.tsv with seeded dev-set-style noise (bench/lib/names.ts); one name per line'],
    raw: { rate: rate.raw, bulk: bulk.raw },
  };
}
