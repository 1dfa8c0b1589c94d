/**
 * Regression gate for the HL7 tx-ecosystem suite: runs the general-mode tests against the server
 * started in-process and fails if any test listed in expected-pass.txt fails. Skips (with
 * SKIP-PEER) when ../shared/tx-ecosystem (or TX_ECOSYSTEM_DIR) is absent.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatReport, runTests } from './runner.js';
import { startServer } from './server.js';
import { ecosystemAvailable, ecosystemDir, loadTests, REPO_ROOT } from './suite.js';

const skip = ecosystemAvailable() ? false : `SKIP-PEER: HL7 tx-ecosystem tests not found at ${ecosystemDir()} (set TX_ECOSYSTEM_DIR)`;
if (skip) console.log(skip);

test('tx-ecosystem: every test in expected-pass.txt still passes', { skip, timeout: 600_000 }, async () => {
  const expected = readFileSync(join(REPO_ROOT, 'test', 'conformance', 'expected-pass.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const modes = new Set(['general']);
  const server = await startServer();
  try {
    const outcomes = await runTests(loadTests(modes), { baseUrl: server.baseUrl, modes });
    console.log(formatReport(outcomes));
    const failed = new Set(outcomes.filter((o) => !o.passed).map((o) => `${o.test.suite}/${o.test.name}`));
    const known = new Set(outcomes.map((o) => `${o.test.suite}/${o.test.name}`));
    const regressions = expected.filter((name) => failed.has(name) || !known.has(name));
    assert.deepEqual(regressions, [], `tests that used to pass now fail:\n${regressions.map((r) => `  ${r}`).join('\n')}`);
  } finally {
    await server.close();
  }
});
