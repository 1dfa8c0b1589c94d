/**
 * Child processes under test: the real terminology server (built `dist/` or TypeScript via tsx) and
 * the bare node:http baseline. Each runs in its own process so the load generator (this process)
 * never shares an event loop with the server it measures.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export type ServerMode = 'dist' | 'tsx';

/** Builds dist/ (not timed). Returns the mode to use and a note when the build was not clean. */
export function prepareServer(requested: ServerMode | 'auto'): { mode: ServerMode; note?: string } {
  if (requested === 'tsx') return { mode: 'tsx' };
  const build = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  const built = existsSync(join(REPO, 'dist/src/main.js'));
  if (built && build.status === 0) return { mode: 'dist' };
  if (built) return { mode: 'dist', note: 'tsc reported type errors; dist/ was emitted anyway and is what ran' };
  if (requested === 'dist') throw new Error(`build failed and dist/src/main.js is missing:\n${build.stdout}${build.stderr}`);
  return { mode: 'tsx', note: 'dist/ could not be built; ran src/main.ts under tsx' };
}

export interface RunningServer {
  pid: number;
  port: number;
  /** http://127.0.0.1:PORT — operation paths start with /fhir/. */
  origin: string;
  /** Milliseconds from spawn to the first successful readiness request. */
  startupMs: number;
  /** True when the readiness probe proved content is loaded (not just that HTTP answers). */
  contentVerified: boolean;
  stop(): Promise<void>;
}

export interface StartServerOptions {
  mode: ServerMode;
  /** Path under /fhir answering 200 once all content is loaded (a $lookup into exam-item). */
  readyPath: string;
  dataDir: string;
  logFile: string;
  timeoutMs?: number;
  env?: Record<string, string>;
}

async function status(url: string): Promise<number> {
  try {
    const res = await fetch(url, { headers: { accept: 'application/fhir+json' } });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
}

/** Starts the real server on a fresh port and waits until its content answers. */
export async function startTerminologyServer(opts: StartServerOptions): Promise<RunningServer> {
  const port = await freePort();
  mkdirSync(opts.dataDir, { recursive: true });
  const args = opts.mode === 'dist' ? [join(REPO, 'dist/src/main.js')] : ['--import', 'tsx', join(REPO, 'src/main.ts')];
  const out = openSync(opts.logFile, 'a');
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: opts.dataDir, ...opts.env },
    stdio: ['ignore', out, out],
  });
  const stop = stopper(child);
  const base = `http://127.0.0.1:${port}`;
  const deadline = t0 + (opts.timeoutMs ?? 60_000);
  let httpUpMs: number | undefined;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} during startup (log: ${opts.logFile})`);
    const s = await status(`${base}/fhir${opts.readyPath}`);
    if (s === 200) {
      return { pid: child.pid!, port, origin: base, startupMs: performance.now() - t0, contentVerified: true, stop };
    }
    if (s !== 0 && httpUpMs === undefined) httpUpMs = performance.now() - t0;
    // Once HTTP answers but content never does, give it a grace period rather than the full timeout.
    if (httpUpMs !== undefined && performance.now() - t0 > httpUpMs + 10_000) break;
    await sleep(10);
  }
  if (httpUpMs !== undefined) {
    return { pid: child.pid!, port, origin: base, startupMs: httpUpMs, contentVerified: false, stop };
  }
  await stop();
  throw new Error(`server did not answer within ${opts.timeoutMs ?? 60_000} ms (log: ${opts.logFile})`);
}

export interface BareResponse {
  method: string;
  url: string;
  status: number;
  contentType: string;
  body: string;
}

/** Starts bench/bare-server.ts (or another fixed-response server script) with the given responses file. */
export function startBareServer(responsesFile: string, logFile: string, script = 'bench/bare-server.ts'): Promise<RunningServer> {
  return startScriptServer(script, (port) => [responsesFile, String(port)], logFile);
}

/** Starts a bench server script under tsx; it must print `ready` on stdout once listening. */
export async function startScriptServer(script: string, args: (port: number) => string[], logFile: string): Promise<RunningServer> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, script), ...args(port)], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', openSync(logFile, 'a')],
  });
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}); see ${logFile}`)));
  });
  return {
    pid: child.pid!,
    port,
    origin: `http://127.0.0.1:${port}`,
    startupMs: performance.now() - t0,
    contentVerified: true,
    stop: stopper(child),
  };
}
