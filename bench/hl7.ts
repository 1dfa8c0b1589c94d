/**
 * HL7 gateway benchmark (issue 6): durable messages/s through the gateway (journal fsync'd with
 * group commit before each ACK, OBR-4 rewritten, forwarded to a downstream) with N concurrent
 * senders, against a raw MLLP echo baseline measured in the same run with the same client
 * (src/hl7/mllp/client.ts) and the same number of connections. Each sender sends one message,
 * waits for its ACK (matched on MSA-2), then sends the next — what an HIS interface does.
 *
 * Run alone: `npx tsx bench/hl7.ts [--senders 8] [--duration 5] [--rounds 3] [--profile <dir>] [--floor]`;
 * `npm run bench` calls benchHl7(). `--profile` writes a V8 CPU profile of the gateway process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MllpClient } from '../src/hl7/mllp/client.js';
import { median } from './lib/machine.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));

export interface Hl7BenchOptions {
  senders?: number;
  durationMs?: number;
  durationSec?: number;
  rounds?: number;
  log?: (line: string) => void;
  /** Write a V8 CPU profile of the gateway process into this folder (`node --cpu-prof`). */
  profileDir?: string;
  /** Also measure the floor (bench/hl7-server.ts floorServer) in each round, after the gateway. */
  floor?: boolean;
}

export interface Hl7BenchResult {
  gatewayPerSec: number;
  echoPerSec: number;
  ratio: number;
  senders: number;
  durationMs: number;
  rounds: number;
  gatewayMessages: number;
  echoMessages: number;
  forwardedByEnd: number;
  groupCommitLargestBatch: number;
  /** Median fdatasync of a 4 KiB append in the journal's folder, probed before each gateway round. */
  fsyncMedianMs: number;
  /** What the disk allows with lock-step senders: at most `senders` messages per flush. */
  fsyncCeilingPerSec: number;
  /** CPU (user + system) the gateway process spent per ACKed message in the measured rounds, µs (load-robust). */
  gatewayCpuPerMessageUs: number;
  /** The same for the echo server per echoed message. */
  echoCpuPerMessageUs: number;
  /** CPU the senders (this process) spent per ACKed message in the echo rounds and in the gateway rounds, µs. */
  senderCpuPerMessageUs: { echo: number; gateway: number };
  /** With `floor`: the floor's median rate, its CPU per message, and its share of the echo. */
  floor?: { perSec: number; ratio: number; cpuPerMessageUs: number; echoCpuPerMessageUs: number; senderCpuPerMessageUs: number };
  note: string;
}

/** CPU time (user + system, µs) the child process has used so far. */
function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m) => {
      const u = m as NodeJS.CpuUsage;
      resolve(u.user + u.system);
    });
    child.send('cpu');
  });
}

/** Median time of `n` fdatasync calls after a 4 KiB append in `dir` (the journal's flush cost). */
export function fsyncProbe(dir: string, n = 100): number {
  const fd = openSync(join(dir, 'fsync-probe'), 'w');
  const page = Buffer.alloc(4096, 7);
  const times: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      writeSync(fd, page);
      const t = process.hrtime.bigint();
      fdatasyncSync(fd);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  } finally {
    closeSync(fd);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function startChild(args: string[], env: Record<string, string>, nodeFlags: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', join(HERE, 'hl7-server.ts'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /LISTENING (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

function message(id: string): Buffer {
  return Buffer.from(
    [
      `MSH|^~\\&|HIS|NCDYFY|RIS|IMGCENTER|20261123103000||ORM^O01|${id}|P|2.4||||||UNICODE UTF-8`,
      'PID|1||P0012345^^^NCDYFY^MR||张^三||19800101|M',
      `ORC|NW|${id}^HIS`,
      `OBR|1|${id}^HIS||CT0012^胸部CT平扫^L|||20261123103000|||||||||||||||||CT`,
    ].join('\r') + '\r',
    'utf8',
  );
}

/** N senders, each send → await ACK → next, for `durationMs`. Returns ACKed (AA/CA) messages. */
async function drive(port: number, senders: number, durationMs: number, prefix: string): Promise<number> {
  const deadline = Date.now() + durationMs;
  let acked = 0;
  await Promise.all(
    Array.from({ length: senders }, async (_, s) => {
      const client = new MllpClient({ host: '127.0.0.1', port, connectTimeoutMs: 5000, ackTimeoutMs: 30_000 });
      let n = 0;
      while (Date.now() < deadline) {
        const id = `${prefix}${s}-${n++}`;
        const ack = await client.send(message(id), id);
        if (ack.code === 'AA' || ack.code === 'CA') acked += 1;
      }
      client.close();
    }),
  );
  return acked;
}

export async function benchHl7(options: Hl7BenchOptions = {}): Promise<Hl7BenchResult> {
  const senders = options.senders ?? 8;
  const durationMs = options.durationMs ?? (options.durationSec ?? 5) * 1000;
  const rounds = Math.max(1, options.rounds ?? 1);
  const log = options.log ?? ((l: string) => console.error(`[hl7-bench] ${l}`));
  const dataDir = mkdtempSync(join(tmpdir(), 'hl7-bench-'));
  const echo = await startChild(['echo'], {});
  // HL7_BENCH_GATEWAY_FLAGS: extra node/V8 flags for the gateway process (e.g. --trace-deopt) when investigating.
  const extraFlags = (process.env.HL7_BENCH_GATEWAY_FLAGS ?? '').split(' ').filter(Boolean);
  const profile = [...(options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : []), ...extraFlags];
  const gateway = await startChild(['gateway'], { DATA_DIR: dataDir, ECHO_PORT: String(echo.port) }, profile);
  const floor = options.floor ? await startChild(['floor'], { DATA_DIR: dataDir, ECHO_PORT: String(echo.port) }) : undefined;
  const floorRates: number[] = [];
  let floorMessages = 0;
  let floorCpuUs = 0;
  let floorEchoCpuUs = 0;
  let floorSenderCpuUs = 0;
  let senderEchoCpuUs = 0;
  let senderGatewayCpuUs = 0;
  const selfCpu = () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  const echoRates: number[] = [];
  const gatewayRates: number[] = [];
  let echoMessages = 0;
  let gatewayMessages = 0;
  const fsyncs: number[] = [];
  let echoCpuUs = 0;
  let gatewayCpuUs = 0;
  try {
    // Warm up long enough for V8 to finish optimising the hot paths: otherwise the first round also
    // pays the compiler threads (seen as ~+50 % CPU per message in round 1 with 0.5 s).
    await drive(echo.port, senders, 1000, 'warm-e');
    await drive(gateway.port, senders, 2000, 'warm-g');
    if (floor) await drive(floor.port, senders, 2000, 'warm-f');
    for (let r = 0; r < rounds; r++) {
      const echoCpu0 = await cpuOf(echo.child);
      const senderE0 = selfCpu();
      const e = await drive(echo.port, senders, durationMs, `e${r}-`);
      senderEchoCpuUs += selfCpu() - senderE0;
      echoCpuUs += (await cpuOf(echo.child)) - echoCpu0;
      const fsyncMs = fsyncProbe(dataDir);
      fsyncs.push(fsyncMs);
      // the gateway's CPU includes forwarding each message to the echo server (its ACK handling too)
      const gatewayCpu0 = await cpuOf(gateway.child);
      const senderG0 = selfCpu();
      const g = await drive(gateway.port, senders, durationMs, `g${r}-`);
      senderGatewayCpuUs += selfCpu() - senderG0;
      const roundCpuUs = (await cpuOf(gateway.child)) - gatewayCpu0;
      gatewayCpuUs += roundCpuUs;
      echoMessages += e;
      gatewayMessages += g;
      echoRates.push((e * 1000) / durationMs);
      gatewayRates.push((g * 1000) / durationMs);
      if (floor) {
        await new Promise((res) => setTimeout(res, 1000)); // let the gateway's forwarder drain into the echo server first
        const [f0, fe0, fs0] = [await cpuOf(floor.child), await cpuOf(echo.child), selfCpu()];
        const f = await drive(floor.port, senders, durationMs, `f${r}-`);
        floorSenderCpuUs += selfCpu() - fs0;
        floorCpuUs += (await cpuOf(floor.child)) - f0;
        floorEchoCpuUs += (await cpuOf(echo.child)) - fe0;
        floorMessages += f;
        floorRates.push((f * 1000) / durationMs);
        log(`round ${r + 1}: floor ${Math.round((f * 1000) / durationMs)} msg/s = ${Math.round((100 * f) / e)} % of echo; floor CPU ${Math.round(floorCpuUs / Math.max(1, floorMessages))} µs/msg (cumulative)`);
      }
      log(`round ${r + 1}: echo ${Math.round((e * 1000) / durationMs)} msg/s, gateway ${Math.round((g * 1000) / durationMs)} msg/s; fdatasync median ${fsyncMs.toFixed(2)} ms → ceiling ${Math.round((senders * 1000) / fsyncMs)} msg/s; gateway CPU ${Math.round(roundCpuUs / Math.max(1, g))} µs/msg; load ${loadavg()[0]!.toFixed(1)}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
    const stats = await new Promise<{ forwarded: number; queueDepth: number; groupCommit: { largestBatch: number } }>((resolve) => {
      gateway.child.once('message', (m) => resolve(m as never));
      gateway.child.send('stats');
    });
    const fsyncMedianMs = median(fsyncs);
    // Issue 9: several rounds, medians (each round's gateway run follows its own echo run).
    const gatewayPerSec = median(gatewayRates);
    const echoPerSec = median(echoRates);
    const result: Hl7BenchResult = {
      gatewayPerSec,
      echoPerSec,
      ratio: gatewayPerSec / echoPerSec,
      senders,
      durationMs,
      rounds,
      gatewayMessages,
      echoMessages,
      forwardedByEnd: stats.forwarded,
      groupCommitLargestBatch: stats.groupCommit.largestBatch,
      fsyncMedianMs,
      fsyncCeilingPerSec: (senders * 1000) / fsyncMedianMs,
      gatewayCpuPerMessageUs: gatewayCpuUs / Math.max(1, gatewayMessages),
      echoCpuPerMessageUs: echoCpuUs / Math.max(1, echoMessages),
      senderCpuPerMessageUs: { echo: senderEchoCpuUs / Math.max(1, echoMessages), gateway: senderGatewayCpuUs / Math.max(1, gatewayMessages) },
      floor: floor
        ? {
            perSec: median(floorRates),
            ratio: median(floorRates) / echoPerSec,
            cpuPerMessageUs: floorCpuUs / Math.max(1, floorMessages),
            echoCpuPerMessageUs: floorEchoCpuUs / Math.max(1, floorMessages),
            senderCpuPerMessageUs: floorSenderCpuUs / Math.max(1, floorMessages),
          }
        : undefined,
      note: `HL7: median of ${rounds} round(s) of ${durationMs} ms, ${senders} senders (send → ACK → next); gateway = SQLite journal fsync + group commit before ACK, rewrite, forwarding to the echo server (forwarded ${stats.forwarded}, queue ${stats.queueDepth} 1 s after the load); fdatasync median ${fsyncMedianMs.toFixed(2)} ms on the journal's disk → at most ${senders} messages per flush ≈ ${Math.round((senders * 1000) / fsyncMedianMs)} msg/s with lock-step senders.`,
    };
    return result;
  } finally {
    if (options.profileDir) {
      const exited = new Promise((r) => gateway.child.once('exit', r));
      gateway.child.send('exit');
      await exited;
    }
    echo.child.kill('SIGKILL');
    gateway.child.kill('SIGKILL');
    floor?.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const profileAt = process.argv.indexOf('--profile');
  const profileDir = profileAt > 0 ? process.argv[profileAt + 1] : undefined;
  const result = await benchHl7({ senders: arg('senders', 8), durationSec: arg('duration', 5), rounds: arg('rounds', 1), profileDir, floor: process.argv.includes('--floor') });
  console.log(JSON.stringify(result, null, 2));
  console.log(`gateway ${Math.round(result.gatewayPerSec)} msg/s vs echo ${Math.round(result.echoPerSec)} msg/s = ${(result.ratio * 100).toFixed(0)}%; fsync ceiling ${Math.round(result.fsyncCeilingPerSec)} msg/s (fdatasync median ${result.fsyncMedianMs.toFixed(2)} ms); CPU per message: gateway ${Math.round(result.gatewayCpuPerMessageUs)} µs, echo ${Math.round(result.echoCpuPerMessageUs)} µs`);
}
