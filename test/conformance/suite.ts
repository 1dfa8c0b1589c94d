/** Loading the HL7 tx-ecosystem test registry (RUNNING.md §1, §8 step 1–2). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TestCase {
  suite: string;
  name: string;
  /** Suite name + position: test names are not unique. */
  key: string;
  operation: string;
  request?: string;
  response: string;
  httpCode: string;
  acceptLanguage?: string;
  header?: { name: string; value: string; mode?: string };
  profile?: string;
  setup: string[];
}

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..', '..');

/** The suite folder: env TX_ECOSYSTEM_DIR, else ../shared/tx-ecosystem beside the repo. */
export function ecosystemDir(): string {
  return process.env.TX_ECOSYSTEM_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'tx-ecosystem');
}

export function testsDir(): string {
  return join(ecosystemDir(), 'tests');
}

export function ecosystemAvailable(): boolean {
  return existsSync(join(testsDir(), 'test-cases.json'));
}

/** Reads a test JSON file, stripping a BOM and coercing `"valueBoolean": "true"` strings. */
export function readJson(relPath: string): Record<string, unknown> {
  const text = readFileSync(join(testsDir(), relPath), 'utf8').replace(/^\uFEFF/, '');
  return JSON.parse(text, (key, value) => (key === 'valueBoolean' && (value === 'true' || value === 'false') ? value === 'true' : value));
}

interface RawTest {
  name: string;
  operation: string;
  request?: string;
  response: string;
  mode?: string;
  disabled?: boolean;
  'http-code'?: string;
  'Accept-Language'?: string;
  header?: { name: string; value: string; mode?: string };
  profile?: string;
  [key: string]: unknown;
}

interface RawSuite {
  name: string;
  mode?: string;
  setup?: string[];
  tests: RawTest[];
}

/** Tests that run with the given modes (default: general only), alternates chosen per mode. */
export function loadTests(modes: Set<string>): TestCase[] {
  const registry = readJson('test-cases.json') as { suites: RawSuite[] };
  const out: TestCase[] = [];
  for (const suite of registry.suites) {
    if (suite.mode && !modes.has(suite.mode)) continue;
    suite.tests.forEach((t, i) => {
      if (t.disabled) return;
      if (t.mode && !modes.has(t.mode)) return;
      let request = t.request;
      let response = t.response;
      for (const mode of modes) {
        if (typeof t[`request:${mode}`] === 'string') request = t[`request:${mode}`] as string;
        if (typeof t[`response:${mode}`] === 'string') response = t[`response:${mode}`] as string;
      }
      out.push({
        suite: suite.name,
        name: t.name,
        key: `${suite.name}/${t.name}#${i}`,
        operation: t.operation,
        request,
        response,
        httpCode: t['http-code'] ?? '2xx',
        acceptLanguage: t['Accept-Language'],
        header: t.header && (!t.header.mode || modes.has(t.header.mode)) ? t.header : undefined,
        profile: t.profile,
        setup: suite.setup ?? [],
      });
    });
  }
  return out;
}
