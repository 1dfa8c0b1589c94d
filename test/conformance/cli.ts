/**
 * `npm run conformance [-- --url <base>] [--mode general,flat] [--suite name] [--filter text]
 *   [--externals file] [--verbose] [--write-passing file] [--out dir]`
 * Runs the HL7 tx-ecosystem tests (../shared/tx-ecosystem, or TX_ECOSYSTEM_DIR) against a server
 * started in-process, or against --url. Prints a per-suite table and `N passed, M failed`; failing
 * tests' actual and expected responses go to --out (default test-output/conformance/).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatReport, loadExternals, passingNames, runTests } from './runner.js';
import { startServer } from './server.js';
import { ecosystemAvailable, ecosystemDir, loadTests, REPO_ROOT } from './suite.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  if (!ecosystemAvailable()) {
    console.error(`SKIP-PEER: HL7 tx-ecosystem tests not found at ${ecosystemDir()} (set TX_ECOSYSTEM_DIR)`);
    process.exit(2);
  }
  const modes = new Set(['general', ...(arg('mode')?.split(',') ?? [])]);
  let tests = loadTests(modes);
  const suite = arg('suite');
  const filter = arg('filter');
  if (suite) tests = tests.filter((t) => suite.split(',').includes(t.suite));
  if (filter) tests = tests.filter((t) => t.name.includes(filter));
  const externalsFile = arg('externals');
  const outputDir = arg('out') ?? join(REPO_ROOT, 'test-output', 'conformance');
  rmSync(outputDir, { recursive: true, force: true });
  const url = arg('url');
  const server = url ? undefined : await startServer();
  try {
    const outcomes = await runTests(tests, {
      baseUrl: (url ?? server!.baseUrl).replace(/\/+$/, ''),
      modes,
      outputDir,
      ...(externalsFile ? { externals: loadExternals(externalsFile) } : {}),
    });
    if (process.argv.includes('--verbose')) {
      for (const o of outcomes) if (!o.passed) console.log(`FAIL ${o.test.suite}/${o.test.name}: ${o.error}`);
    }
    const listFile = arg('write-passing');
    if (listFile) writeFileSync(listFile, passingNames(outcomes).join('\n') + '\n');
    console.log(formatReport(outcomes));
    process.exitCode = outcomes.every((o) => o.passed) ? 0 : 1;
  } finally {
    await server?.close();
  }
}

await main();
