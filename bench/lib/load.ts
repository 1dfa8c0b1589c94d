/**
 * Load generation: autocannon for throughput under fixed concurrency, and a sequential
 * single-connection probe for latency with microsecond resolution (autocannon's histogram
 * records whole milliseconds, too coarse for a 2 ms target).
 */
import autocannon from 'autocannon';
import { Agent, request } from 'node:http';
import { cpuMs, median, percentile } from './machine.js';

export interface LoadOptions {
  connections: number;
  durationSec: number;
  warmupSec: number;
  rounds: number;
}

export interface Target {
  origin: string;
  /** Server process id, to charge its CPU time to the requests it served. */
  pid?: number;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export interface RoundResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** Server CPU time per request (user + system), µs: robust to other load on the machine. */
  cpuUsPerReq: number;
}

const HEADERS = { accept: 'application/fhir+json' };

export async function autocannonRound(target: Target, connections: number, durationSec: number): Promise<RoundResult> {
  const cpu0 = target.pid ? cpuMs(target.pid) : undefined;
  const result = await autocannon({
    url: `${target.origin}${target.path}`,
    method: target.method,
    connections,
    duration: durationSec,
    headers: target.body ? { ...HEADERS, 'content-type': 'application/fhir+json' } : HEADERS,
    ...(target.body ? { body: target.body } : {}),
  });
  const cpuEnd = target.pid ? cpuMs(target.pid) : undefined;
  return {
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpuUsPerReq: cpu0 !== undefined && cpuEnd !== undefined ? ((cpuEnd - cpu0) * 1000) / Math.max(1, result.requests.total) : NaN,
  };
}

export interface ProbeResult {
  p50Ms: number;
  p99Ms: number;
  samples: number;
}

function once(agent: Agent, target: Target): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${target.origin}${target.path}`);
    const t0 = process.hrtime.bigint();
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: target.method,
        headers: target.body ? { ...HEADERS, 'content-type': 'application/fhir+json', 'content-length': Buffer.byteLength(target.body) } : HEADERS,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(target.body);
  });
}

/** Sequential requests on one keep-alive connection: unloaded latency. */
export async function latencyProbe(target: Target, samples: number): Promise<ProbeResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < Math.min(200, samples); i++) await once(agent, target);
    const times: number[] = [];
    for (let i = 0; i < samples; i++) times.push(await once(agent, target));
    times.sort((a, b) => a - b);
    return { p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), samples };
  } finally {
    agent.destroy();
  }
}

export interface PairedResult {
  real: RoundResult;
  bare: RoundResult;
  /** Median over rounds of real ÷ bare req/s of the same round (adjacent in time, so under like conditions). */
  ratio: number;
  /** Median over rounds of bare ÷ real server CPU per request: the ratio if each had a core to itself. */
  cpuRatio: number;
  rounds: { real: RoundResult[]; bare: RoundResult[] };
}

function medianRound(rounds: RoundResult[]): RoundResult {
  return {
    rps: median(rounds.map((r) => r.rps)),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    non2xx: rounds.reduce((s, r) => s + r.non2xx, 0),
    errors: rounds.reduce((s, r) => s + r.errors, 0),
    cpuUsPerReq: median(rounds.map((r) => r.cpuUsPerReq)),
  };
}

/**
 * Warm both servers, then alternate real/bare rounds so slow drifts of the machine (thermal,
 * other tenants) hit both sides alike; report the median of each side.
 */
export async function pairedLoad(real: Target, bare: Target, opts: LoadOptions): Promise<PairedResult> {
  if (opts.warmupSec > 0) {
    await autocannonRound(real, opts.connections, opts.warmupSec);
    await autocannonRound(bare, opts.connections, opts.warmupSec);
  }
  const rounds = { real: [] as RoundResult[], bare: [] as RoundResult[] };
  for (let i = 0; i < opts.rounds; i++) {
    rounds.real.push(await autocannonRound(real, opts.connections, opts.durationSec));
    rounds.bare.push(await autocannonRound(bare, opts.connections, opts.durationSec));
  }
  return {
    real: medianRound(rounds.real),
    bare: medianRound(rounds.bare),
    ratio: median(rounds.real.map((r, i) => r.rps / rounds.bare[i]!.rps)),
    cpuRatio: median(rounds.real.map((r, i) => rounds.bare[i]!.cpuUsPerReq / r.cpuUsPerReq)),
    rounds,
  };
}
