/**
 * The HL7 section delegates to bench/hl7.ts (owned by the HL7 engineer): it measures durable
 * messages/s through the gateway with 8 concurrent senders against a raw MLLP echo baseline
 * driven by the same client. This adapter only calls it and judges the figures.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, type Row } from './report.js';
import { REPO } from './processes.js';

const TARGET_RATIO = 0.4;
const SENDERS = 8;

export interface Hl7SectionOptions {
  durationSec: number;
  rounds: number;
  log: (line: string) => void;
}

type Fn = (opts: Record<string, unknown>) => Promise<unknown>;

/** Picks the first numeric field whose name matches. */
function pick(obj: Record<string, unknown>, re: RegExp): number | undefined {
  for (const [k, v] of Object.entries(obj)) if (re.test(k) && typeof v === 'number') return v;
  return undefined;
}

export async function runHl7Bench(opts: Hl7SectionOptions): Promise<{ rows: Row[]; notes: string[]; raw: unknown }> {
  const file = join(REPO, 'bench/hl7.ts');
  const target = `≥ ${TARGET_RATIO * 100}% of echo`;
  if (!existsSync(file)) {
    return { rows: [{ section: 'HL7 gateway', metric: 'durable msgs/s, 8 senders', measured: '—', target, note: 'bench/hl7.ts not present yet' }], notes: [], raw: null };
  }
  const mod = (await import(file)) as Record<string, unknown>;
  const fn = (['benchHl7', 'runHl7Bench', 'benchmarkHl7', 'default'].map((n) => mod[n]).find((f) => typeof f === 'function') ??
    Object.values(mod).find((f) => typeof f === 'function')) as Fn | undefined;
  if (!fn) throw new Error('bench/hl7.ts exports no function');
  opts.log(`hl7: calling bench/hl7.ts ${fn.name || '(default)'} with ${SENDERS} senders`);
  const result = (await fn({ senders: SENDERS, durationSec: opts.durationSec, rounds: opts.rounds, log: opts.log, floor: true })) as Record<string, unknown>;
  // bench/hl7.ts's Hl7BenchResult: gatewayPerSec, echoPerSec (msgs/s, medians of rounds).
  const gateway = pick(result, /^gatewayPerSec$/) ?? pick(result, /gateway.*per.*s/i);
  const echo = pick(result, /^echoPerSec$/) ?? pick(result, /echo.*per.*s/i);
  if (gateway === undefined || echo === undefined) {
    return {
      rows: [{ section: 'HL7 gateway', metric: 'durable msgs/s, 8 senders', measured: '—', target, note: `unrecognised result shape: ${JSON.stringify(result).slice(0, 200)}` }],
      notes: [],
      raw: result,
    };
  }
  const ratio = gateway / echo;
  const floor = result.floor as { perSec: number; ratio: number; cpuPerMessageUs: number } | undefined;
  const floorRows: Row[] = floor
    ? [
        {
          section: 'HL7 gateway',
          metric: 'floor: only the unavoidable syscalls (bench/hl7-server.ts floorServer), same senders',
          measured: `${Math.round(floor.perSec)} msg/s = ${fmt.pct(floor.ratio)} of echo, ${Math.round(floor.cpuPerMessageUs)} µs CPU/msg`,
          note: `informative: what any gateway flushing before its ACK reaches here (docs/hl7.md); gateway CPU ${Math.round(Number(result.gatewayCpuPerMessageUs))} µs/msg`,
        },
      ]
    : [];
  return {
    rows: [
      {
        section: 'HL7 gateway',
        metric: `durable msgs/s vs raw MLLP echo (${SENDERS} senders)`,
        measured: `${Math.round(gateway)} vs ${Math.round(echo)} msg/s = ${fmt.pct(ratio)}`,
        target,
        met: ratio >= TARGET_RATIO,
        note: ratio >= TARGET_RATIO ? '' : `${((TARGET_RATIO - ratio) * 100).toFixed(0)} points short`,
      },
      ...floorRows,
    ],
    notes: typeof result.note === 'string' ? [result.note] : [],
    raw: result,
  };
}
