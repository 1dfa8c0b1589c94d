/**
 * HAPI FHIR 8.x (Maven Central) as an independent client of our server (issue 4, "Real clients"):
 * runs test/java/fhir-client (RemoteTerminologyServiceValidationSupport validateCode/lookupCode,
 * generic client $expand/$translate) against our server on an ephemeral port and asserts every
 * check passed. Skips with SKIP-PEER when Java or Maven is absent.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO } from '../../bench/lib/processes.js';
import { findConceptMapHit, startServerUnderTest } from './support.js';

const PROJECT = join(REPO, 'test/java/fhir-client');
const CLASS_FILE = join(PROJECT, 'target/classes/rimag/TerminologyClientCheck.class');
const SOURCE_FILE = join(PROJECT, 'src/main/java/rimag/TerminologyClientCheck.java');
const CLASSPATH_FILE = join(PROJECT, 'target/classpath.txt');
const EXPECTED_CHECKS = [
  'validateCode valid (CodeSystem)',
  'validateCode valid (ValueSet exam-item-all)',
  'validateCode unknown code',
  'validateCode wrong display',
  'lookupCode',
  'lookupCode unknown code',
  'generic client $expand filter',
  'generic client $translate free text',
  'generic client $translate',
];

function missingPeer(): string | undefined {
  for (const tool of ['java', 'mvn']) {
    if (spawnSync(tool, ['-version'], { encoding: 'utf8' }).error) return `${tool} not found on PATH`;
  }
  return undefined;
}

const skipReason = missingPeer();
if (skipReason) console.log(`SKIP-PEER: HAPI FHIR client test needs Java and Maven: ${skipReason}`);

function ensureCompiled(): void {
  const fresh = existsSync(CLASS_FILE) && existsSync(CLASSPATH_FILE) && statSync(CLASS_FILE).mtimeMs >= statSync(SOURCE_FILE).mtimeMs;
  if (fresh) return;
  const r = spawnSync('bash', [join(REPO, '.ci/setup-fhir-client.sh')], { cwd: REPO, encoding: 'utf8' });
  assert.equal(r.status, 0, `maven build failed:\n${r.stdout}\n${r.stderr}`);
}

test('HAPI FHIR 8 RemoteTerminologyServiceValidationSupport and generic client round trip', { skip: skipReason ?? false }, async (t) => {
  ensureCompiled();
  const hit = findConceptMapHit();
  assert.ok(hit, 'no ConceptMap with a mapped element under conformance/');
  const sut = await startServerUnderTest();
  try {
    const classpath = `${join(PROJECT, 'target/classes')}:${readFileSync(CLASSPATH_FILE, 'utf8').trim()}`;
    const args = [
      '-cp',
      classpath,
      'rimag.TerminologyClientCheck',
      sut.base,
      `translate.url=${hit.url}`,
      `translate.system=${hit.system}`,
      `translate.code=${hit.code}`,
      `translate.target=${hit.target}`,
    ];
    const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('java', args, { cwd: PROJECT });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    const lines = run.out.split('\n');
    for (const line of lines.filter((l) => /^(PASS|FAIL) /.test(l))) t.diagnostic(line);
    const failing = lines.filter((l) => l.startsWith('FAIL '));
    for (const name of EXPECTED_CHECKS) {
      assert.ok(lines.some((l) => l.startsWith(`PASS ${name}:`) || l.startsWith(`FAIL ${name}:`)), `check '${name}' did not run:\n${run.out}`);
    }
    assert.deepEqual(failing, [], `HAPI client checks failed:\n${run.out}`);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, new RegExp(`hapi-fhir-client checks: ${EXPECTED_CHECKS.length} ok, 0 failing`));
  } finally {
    await sut.close();
  }
});
