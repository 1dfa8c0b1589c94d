/**
 * Cross-check of our tx-ecosystem runner by HL7's own: the official Java TxTester
 * (org.hl7.fhir.validation, test/java/tx-tester) and test/conformance/runner.ts run back to back
 * against one in-process server, so both judge the same build. Asserts that every test in
 * expected-pass.txt passes under the official runner too, that both runners saw the same tests, and
 * that our runner is never the more lenient one (a test we pass and it fails would be a bug in
 * ours). Tests only the official runner passes are printed: docs/terminology.md explains them.
 * Skips with SKIP-PEER when Java, Maven, the Maven artifacts or the suite are absent.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runTests } from './runner.js';
import { startServer } from './server.js';
import { ecosystemAvailable, ecosystemDir, loadTests, REPO_ROOT, testsDir } from './suite.js';

const PROJECT = join(REPO_ROOT, 'test/java/tx-tester');
const SOURCE_FILE = join(PROJECT, 'src/main/java/rimag/OfficialTxTests.java');
const CLASS_FILE = join(PROJECT, 'target/classes/rimag/OfficialTxTests.class');
const CLASSPATH_FILE = join(PROJECT, 'target/classpath.txt');
const OUTPUT_DIR = join(REPO_ROOT, 'test-output', 'official-runner');

function missingPeer(): string | undefined {
  if (!ecosystemAvailable()) return `HL7 tx-ecosystem tests not found at ${ecosystemDir()} (set TX_ECOSYSTEM_DIR)`;
  for (const tool of ['java', 'mvn']) {
    if (spawnSync(tool, ['-version'], { encoding: 'utf8' }).error) return `${tool} not found on PATH`;
  }
  return undefined;
}

const skipReason = missingPeer();
if (skipReason) console.log(`SKIP-PEER: official tx-ecosystem runner (TxTester) needs ${skipReason}`);

/** Compiles the harness when stale; returns why it could not (the Maven artifacts are a peer too). */
function ensureCompiled(): string | undefined {
  const newest = Math.max(statSync(SOURCE_FILE).mtimeMs, statSync(join(PROJECT, 'pom.xml')).mtimeMs);
  if (existsSync(CLASS_FILE) && existsSync(CLASSPATH_FILE) && statSync(CLASS_FILE).mtimeMs >= newest) return undefined;
  const r = spawnSync('bash', [join(REPO_ROOT, '.ci/setup-tx-tester.sh')], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status === 0) return undefined;
  return `.ci/setup-tx-tester.sh failed (Maven artifacts unavailable?):\n${`${r.stdout}${r.stderr}`.split('\n').slice(-15).join('\n')}`;
}

/** Runs OfficialTxTests; its log goes to OUTPUT_DIR/txtester.log. Resolves with the exit code. */
function runOfficial(server: string): Promise<number | null> {
  rmSync(OUTPUT_DIR, { recursive: true, force: true });
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const classpath = `${join(PROJECT, 'target/classes')}:${readFileSync(CLASSPATH_FILE, 'utf8').trim()}`;
  const args = [
    '-Dorg.slf4j.simpleLogger.logFile=System.out',
    '-cp',
    classpath,
    'rimag.OfficialTxTests',
    '--tests',
    testsDir(),
    '--server',
    server,
    '--output',
    OUTPUT_DIR,
  ];
  const log = createWriteStream(join(OUTPUT_DIR, 'txtester.log'));
  return new Promise((resolve, reject) => {
    const child = spawn('java', args, { cwd: PROJECT });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    child.on('error', reject);
    child.on('close', (code) => log.end(() => resolve(code)));
  });
}

interface OfficialResults {
  passed: Set<string>;
  failed: Map<string, string>;
  /** Per test, not per name (a few names repeat). */
  counts: { passed: number; failed: number };
}

/** results.tsv: `suite/test<TAB>PASS|FAIL|ERROR|SKIP<TAB>message`; a repeated name fails if any copy fails. */
function readResults(): OfficialResults {
  const passed = new Set<string>();
  const failed = new Map<string, string>();
  const counts = { passed: 0, failed: 0 };
  for (const line of readFileSync(join(OUTPUT_DIR, 'results.tsv'), 'utf8').split('\n')) {
    const [name, result, message = ''] = line.split('\t');
    if (!name || result === 'SKIP') continue;
    if (result === 'PASS') {
      passed.add(name);
      counts.passed++;
    } else {
      failed.set(name, `${result}: ${message}`);
      counts.failed++;
    }
  }
  for (const name of failed.keys()) passed.delete(name);
  return { passed, failed, counts };
}

function expectedPass(): string[] {
  return readFileSync(join(REPO_ROOT, 'test/conformance/expected-pass.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

test('official HL7 TxTester agrees with our runner and passes every test in expected-pass.txt', { skip: skipReason ?? false, timeout: 900_000 }, async (t) => {
  const notCompiled = ensureCompiled();
  if (notCompiled) {
    console.log(`SKIP-PEER: official tx-ecosystem runner: ${notCompiled}`);
    t.skip(notCompiled);
    return;
  }
  const modes = new Set(['general']);
  const tests = loadTests(modes);
  const server = await startServer();
  let exitCode: number | null;
  let ours: Awaited<ReturnType<typeof runTests>>;
  try {
    ours = await runTests(tests, { baseUrl: server.baseUrl, modes });
    exitCode = await runOfficial(server.baseUrl);
  } finally {
    await server.close();
  }
  const log = readFileSync(join(OUTPUT_DIR, 'txtester.log'), 'utf8');
  assert.ok(exitCode === 0 || exitCode === 1, `official runner did not complete (exit ${exitCode}):\n${log.split('\n').slice(-30).join('\n')}`);
  const official = readResults();

  const ourNames = new Set(tests.map((x) => `${x.suite}/${x.name}`));
  const officialNames = new Set([...official.passed, ...official.failed.keys()]);
  assert.deepEqual([...officialNames].sort(), [...ourNames].sort(), 'the two runners selected different tests');

  const oursFailed = new Set(ours.filter((o) => !o.passed).map((o) => `${o.test.suite}/${o.test.name}`));
  const oursPassed = [...ourNames].filter((n) => !oursFailed.has(n));
  const oursCount = ours.filter((o) => o.passed).length;
  t.diagnostic(`official TxTester: ${official.counts.passed} passed, ${official.counts.failed} failed (log: test-output/official-runner/txtester.log)`);
  t.diagnostic(`our runner: ${oursCount} passed, ${ours.length - oursCount} failed`);
  for (const [name, why] of official.failed) t.diagnostic(`official FAIL ${name}: ${why.slice(0, 200)}`);
  for (const name of [...oursFailed].filter((n) => official.passed.has(n))) {
    t.diagnostic(`only the official runner passes ${name} (see docs/terminology.md, "Cross-check with the official runner")`);
  }

  const lenient = oursPassed.filter((n) => official.failed.has(n));
  assert.deepEqual(lenient, [], `our runner passes tests the official runner fails:\n${lenient.map((n) => `  ${n}: ${official.failed.get(n)}`).join('\n')}`);
  const regressions = expectedPass().filter((n) => !official.passed.has(n));
  assert.deepEqual(regressions, [], `expected-pass tests the official runner does not pass:\n${regressions.map((n) => `  ${n}: ${official.failed.get(n) ?? 'not run'}`).join('\n')}`);
});
