/**
 * Real peers: HAPI HL7v2 (Java, test/java/hl7) and Python's `hl7` package (test/python/hl7_peer.py)
 * send orders through the gateway; HAPI also parses what the gateway forwarded. SKIPs with a
 * `SKIP-PEER:` line when java/mvn, python3 or the hl7 package are absent (.ci/setup-hl7-peers.sh
 * installs them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFixture } from './gateway-fixture.js';
import { field, segments, waitFor } from './helpers.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const JAVA_DIR = join(ROOT, 'test/java/hl7');

/** Runs a peer asynchronously (the gateway under test lives in this process's event loop). */
function run(cmd: string, args: string[], timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function has(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

/** Compiles the Maven project (offline first, online if artifacts are missing) and returns the classpath. */
function buildJavaPeer(): { classpath?: string; error?: string } {
  const goals = ['-q', '-B', 'compile', 'dependency:build-classpath', '-Dmdep.outputFile=target/cp.txt'];
  let r = spawnSync('mvn', ['-o', ...goals], { cwd: JAVA_DIR, encoding: 'utf8' });
  if (r.status !== 0) r = spawnSync('mvn', goals, { cwd: JAVA_DIR, encoding: 'utf8' });
  if (r.status !== 0) return { error: `mvn failed: ${(r.stdout + r.stderr).slice(-2000)}` };
  return { classpath: `${join(JAVA_DIR, 'target/classes')}:${readFileSync(join(JAVA_DIR, 'target/cp.txt'), 'utf8').trim()}` };
}

const javaMissing = !has('java', ['-version']) || !has('mvn', ['-v']) ? 'java or mvn not found' : undefined;
if (javaMissing) console.log(`SKIP-PEER: HAPI HL7v2 peer test skipped: ${javaMissing}`);

test('HAPI HL7v2 sends ORM^O01 (2.3.1, UTF-8 and GB18030) and OMI^O23 (2.5), parses our ACKs and the forwarded messages', { skip: javaMissing, timeout: 600_000 }, async () => {
  const built = buildJavaPeer();
  if (!built.classpath) {
    console.log(`SKIP-PEER: HAPI HL7v2 peer could not be built (run .ci/setup-hl7-peers.sh): ${built.error}`);
    assert.fail(built.error);
  }
  const f = await startFixture();
  const dir = mkdtempSync(join(tmpdir(), 'hl7-hapi-'));
  try {
    const sent = await run('java', ['-cp', built.classpath!, 'gw.Peer', 'send', '127.0.0.1', String(f.port)], 120_000);
    assert.equal(sent.status, 0, sent.stdout + sent.stderr);
    const ackLines = sent.stdout.trim().split('\n');
    assert.deepEqual(ackLines, ['ACK HAPI-ORM-1 AA ACK 2.3.1', 'ACK HAPI-ORM-2 AA ACK 2.3.1', 'ACK HAPI-OMI-1 CA ACK 2.5']);
    await waitFor(() => f.downstream.received.length === 3);
    f.downstream.received.forEach((b, i) => writeFileSync(join(dir, `m${i}.hl7`), b));
    const checked = await run('java', ['-cp', built.classpath!, 'gw.Peer', 'check', dir], 120_000);
    assert.equal(checked.status, 0, checked.stdout + checked.stderr);
    const lines = checked.stdout.trim().split('\n').sort();
    assert.deepEqual(lines, [
      'OBR HAPI-OMI-1 1 40050101000000^DR胸部正位^99RIMAG^DR1001^左膝关节正侧位^L PID5=李^四 OMI_O23 2.5',
      'OBR HAPI-ORM-1 1 20050101110000^CT胸部(平扫)^99RIMAG^CT0012^胸部CT平扫^L PID5=王^五 ORM_O01 2.3.1',
      'OBR HAPI-ORM-1 2 20010101110000^CT头颅(平扫)^99RIMAG^CT0101^头颅CT平扫^L PID5=王^五 ORM_O01 2.3.1',
      'OBR HAPI-ORM-2 1 20050101110000^CT胸部(平扫)^99RIMAG^CT0012^胸部CT平扫^L PID5=和^珅 ORM_O01 2.3.1',
      'OBR HAPI-ORM-2 2 20010101110000^CT头颅(平扫)^99RIMAG^CT0101^头颅CT平扫^L PID5=和^珅 ORM_O01 2.3.1',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await f.stop();
  }
});

function pythonHl7Missing(): string | undefined {
  if (!has('python3', ['--version'])) return 'python3 not found';
  if (!has('python3', ['-c', 'import hl7.client'])) return 'python package hl7 not installed (pip install hl7)';
  return undefined;
}
const pyMissing = pythonHl7Missing();
if (pyMissing) console.log(`SKIP-PEER: Python hl7 peer test skipped: ${pyMissing}`);

test('Python hl7 package sends ORM^O01 (UTF-8 and GB18030) with its MLLP client and parses our ACKs', { skip: pyMissing, timeout: 120_000 }, async () => {
  const f = await startFixture();
  try {
    const script = join(ROOT, 'test/python/hl7_peer.py');
    assert.ok(existsSync(script));
    const r = await run('python3', [script, '127.0.0.1', String(f.port)], 60_000);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['ACK PY-ORM-1 AA ACK^O01^ACK', 'ACK PY-ORM-2 AA ACK^O01^ACK']);
    await waitFor(() => f.downstream.received.length === 2);
    const second = f.downstream.received[1];
    const text = new TextDecoder('gb18030').decode(second);
    assert.equal(field(segments(text).find((s) => s.startsWith('PID'))!, 5), '和^珅');
    assert.equal(field(segments(text).find((s) => s.startsWith('OBR'))!, 4), '30030201000000^MR头颅平扫+DWI^99RIMAG^MR0203^头颅MRI平扫+DWI^L');
  } finally {
    await f.stop();
  }
});
