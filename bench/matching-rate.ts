/**
 * The matching bench's names/s row alone, repeated: the same 20,000 names (bench/lib/names.ts) and
 * the same pinned child process (bench/matching-worker.ts via measureRate) as `npm run bench`, without
 * the HTTP, HL7 and bulk sections. For speed work on src/matching:
 *
 *   npx tsx bench/matching-rate.ts [--runs 5] [--compare /path/to/other/checkout]
 *
 * With --compare the other checkout's engine (its own bench/matching-worker.ts) and this one are timed
 * alternately, other first, so drifts of a shared machine hit both. Each run prints names per
 * CPU-second and per wall-second with the 1-minute load average at its start; medians at the end.
 */
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureRate, writeRateSample } from './lib/matching-section.js';
import { median } from './lib/machine.js';
import { messyNames } from './lib/names.js';
import { REPO } from './lib/processes.js';

const { values } = parseArgs({ options: { runs: { type: 'string' }, compare: { type: 'string' } } });
const runs = Math.max(1, Number(values.runs ?? 5));
const workDir = join(REPO, '.tmp/bench-rate');
mkdirSync(workDir, { recursive: true });
const sample = writeRateSample(messyNames(20_000), workDir);
const versions: Array<{ label: string; repo: string }> = values.compare ? [{ label: 'other', repo: values.compare }, { label: 'this', repo: REPO }] : [{ label: 'this', repo: REPO }];
const figures = new Map<string, number[]>(versions.map((v) => [v.label, []]));

for (let i = 0; i < runs; i++) {
  for (const v of versions) {
    const load = loadavg()[0]!.toFixed(2);
    const { parsed, pin } = measureRate(sample, v.repo);
    if (parsed.namesPerCpuSecond === undefined) throw new Error(`${v.label}: ${parsed.error ?? 'not measured'}`);
    figures.get(v.label)!.push(parsed.namesPerCpuSecond);
    console.log(`run ${i + 1} ${v.label.padEnd(5)} ${String(parsed.namesPerCpuSecond).padStart(7)} names/CPU-s  wall ${String(parsed.namesPerWallSecond).padStart(7)}/s  cpu ${parsed.cpuMs?.toFixed(0)} ms  load ${load}${pin ? '  pinned' : ''}  ${new Date().toISOString().slice(11, 19)}Z`);
  }
}
for (const [label, list] of figures) console.log(`median ${label}: ${Math.round(median(list))} names/CPU-s over ${list.length} runs (min ${Math.min(...list)}, max ${Math.max(...list)})`);
