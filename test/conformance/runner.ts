/**
 * Runs HL7 tx-ecosystem tests against a FHIR R4 server over HTTP, building requests and comparing
 * responses as the Java runner does (RUNNING.md §3–§5).
 */
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compareJson, type CompareOptions } from './compare.js';
import { parametersR5toR4, resourceR5toR4, responseR4toR5 } from './convert.js';
import { scrub, sortResponse } from './normalise.js';
import { readJson, type TestCase } from './suite.js';

type Obj = Record<string, unknown>;

export interface RunOptions {
  baseUrl: string;
  modes: Set<string>;
  /** Externals messages file (keyed by response file path). */
  externals?: Record<string, Record<string, string>>;
  /** Where failing tests' actual/expected responses are written. */
  outputDir?: string;
}

export interface TestOutcome {
  test: TestCase;
  passed: boolean;
  error?: string;
  status?: number;
  /** String differences the comparison accepted only through the base64 fallback (compare.ts). */
  lenient?: string[];
}

const FHIR_VERSION = '4.0.1';
const JSON_TYPE = 'application/fhir+json; fhirVersion=4.0';

interface ServerInfo {
  capabilityStatement?: Obj;
  terminologyCapabilities?: Obj;
}

async function getJson(url: string): Promise<Obj | undefined> {
  try {
    const res = await fetch(url, { headers: { accept: JSON_TYPE } });
    if (!res.ok) return undefined;
    return (await res.json()) as Obj;
  } catch {
    return undefined;
  }
}

/** Bootstrap (RUNNING.md §3.1): version probe, then both capability statements. */
export async function bootstrap(baseUrl: string): Promise<ServerInfo> {
  await getJson(`${baseUrl}/$versions?_format=json`);
  return {
    capabilityStatement: await getJson(`${baseUrl}/metadata`),
    terminologyCapabilities: await getJson(`${baseUrl}/metadata?mode=terminology`),
  };
}

function isPrimitiveParam(p: Obj): boolean {
  if (p.resource !== undefined || p.part !== undefined) return false;
  return Object.entries(p).every(([k, v]) => !k.startsWith('value') || typeof v !== 'object' || v === null);
}

function paramValue(p: Obj): string {
  for (const [k, v] of Object.entries(p)) if (k.startsWith('value')) return String(v);
  return '';
}

/** Request Parameters: the test's, then one tx-resource per setup file, then the profile's (RUNNING.md §3.2). */
export function buildRequest(test: TestCase, cache: Map<string, Obj>): Obj {
  const base = test.request ? readJson(test.request) : { resourceType: 'Parameters', parameter: [] };
  const params = parametersR5toR4(base);
  const list = ((params.parameter as Obj[] | undefined) ?? []).slice();
  for (const file of test.setup) {
    let res = cache.get(file);
    if (!res) {
      res = resourceR5toR4(readJson(file));
      cache.set(file, res);
    }
    list.push({ name: 'tx-resource', resource: res });
  }
  const profile = readJson(test.profile ?? 'parameters-default.json');
  for (const p of (profile.parameter as Obj[] | undefined) ?? []) list.push(p);
  params.parameter = list;
  return params;
}

const ENDPOINTS: Record<string, { path: string; alwaysPost: boolean }> = {
  expand: { path: 'ValueSet/$expand', alwaysPost: true },
  'validate-code': { path: 'ValueSet/$validate-code', alwaysPost: false },
  'cs-validate-code': { path: 'CodeSystem/$validate-code', alwaysPost: false },
  lookup: { path: 'CodeSystem/$lookup', alwaysPost: true },
  translate: { path: 'ConceptMap/$translate', alwaysPost: true },
  'batch-validate': { path: 'ValueSet/$batch-validate-code', alwaysPost: true },
};

async function send(test: TestCase, params: Obj, baseUrl: string): Promise<{ status: number; body: Obj | undefined; raw: string }> {
  const endpoint = ENDPOINTS[test.operation];
  if (!endpoint) throw new Error(`unsupported operation ${test.operation}`);
  const headers: Record<string, string> = {
    accept: JSON_TYPE,
    'user-agent': 'Tools/Java',
    'x-request-id': `txTests:${test.suite}/${test.name}`,
  };
  if (test.acceptLanguage) headers['accept-language'] = test.acceptLanguage;
  if (test.header) headers[test.header.name.toLowerCase()] = test.header.value;
  const list = (params.parameter as Obj[] | undefined) ?? [];
  let res: Response;
  if (!endpoint.alwaysPost && list.every(isPrimitiveParam)) {
    const query = list.map((p) => `${encodeURIComponent(String(p.name))}=${encodeURIComponent(paramValue(p))}`).join('&');
    res = await fetch(`${baseUrl}/${endpoint.path}?${query}`, { headers });
  } else {
    headers['content-type'] = `${JSON_TYPE};charset=UTF-8`;
    res = await fetch(`${baseUrl}/${endpoint.path}`, { method: 'POST', headers, body: JSON.stringify(params) });
  }
  const raw = await res.text();
  let body: Obj | undefined;
  try {
    body = JSON.parse(raw) as Obj;
  } catch {
    body = undefined;
  }
  return { status: res.status, body, raw };
}

function statusClassMatches(status: number, httpCode: string): boolean {
  return String(status)[0] === httpCode[0];
}

function writeFailure(outputDir: string, test: TestCase, expected: unknown, actual: unknown, error: string): void {
  const file = join(outputDir, test.response);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file.replace(/\.json$/, '.expected.json'), JSON.stringify(expected, null, 2));
  writeFileSync(file.replace(/\.json$/, '.actual.json'), JSON.stringify(actual, null, 2));
  writeFileSync(file.replace(/\.json$/, '.error.txt'), error + '\n');
}

function compareOptions(opts: RunOptions, test: TestCase, pattern = false): CompareOptions {
  return { modes: opts.modes, fhirVersion: FHIR_VERSION, externals: opts.externals?.[test.response], pattern, lenientMatches: [] };
}

/** The outcome of a comparison, with the base64-fallback acceptances of a passing one. */
function outcome(test: TestCase, error: string | null, compared: CompareOptions, status?: number): TestOutcome {
  const lenient = error === null && compared.lenientMatches?.length ? compared.lenientMatches : undefined;
  return { test, passed: error === null, error: error ?? undefined, ...(status === undefined ? {} : { status }), ...(lenient ? { lenient } : {}) };
}

async function runOne(test: TestCase, opts: RunOptions, info: ServerInfo, cache: Map<string, Obj>): Promise<TestOutcome> {
  const expectedPath = test.response;
  let expected: Obj;
  try {
    expected = readJson(expectedPath);
  } catch (err) {
    return { test, passed: false, error: `cannot read expected response: ${(err as Error).message}` };
  }
  if (test.operation === 'metadata' || test.operation === 'term-caps') {
    const actual = test.operation === 'metadata' ? info.capabilityStatement : info.terminologyCapabilities;
    if (!actual) return { test, passed: false, error: 'server did not return the resource' };
    const compared = compareOptions(opts, test, true);
    const error = compareJson(expected, actual, test.operation, compared);
    if (error && opts.outputDir) writeFailure(opts.outputDir, test, expected, actual, error);
    return outcome(test, error, compared);
  }
  const request = buildRequest(test, cache);
  let response: Awaited<ReturnType<typeof send>>;
  try {
    response = await send(test, request, opts.baseUrl);
  } catch (err) {
    return { test, passed: false, error: `request failed: ${(err as Error).message}` };
  }
  const { status, body } = response;
  let error: string | null = null;
  let actual: Obj | undefined = body;
  const compared = compareOptions(opts, test);
  if (!body || typeof body.resourceType !== 'string') {
    error = `status ${status}: response is not a FHIR resource: ${response.raw.slice(0, 200)}`;
  } else if (status >= 300 && body.resourceType !== 'OperationOutcome') {
    error = `status ${status} without an OperationOutcome`;
  } else {
    actual = responseR4toR5(body);
    scrub(actual);
    sortResponse(actual);
    error = compareJson(expected, actual, body.resourceType, compared);
    if (!error && !statusClassMatches(status, test.httpCode)) error = `HTTP status ${status}, expected ${test.httpCode}`;
  }
  if (error && opts.outputDir) writeFailure(opts.outputDir, test, expected, { status, body: actual }, error);
  return outcome(test, error, compared, status);
}

/** Runs the tests sequentially (the suites share no state on the server beyond tx-resources). */
export async function runTests(tests: TestCase[], opts: RunOptions): Promise<TestOutcome[]> {
  const info = await bootstrap(opts.baseUrl);
  const cache = new Map<string, Obj>();
  const out: TestOutcome[] = [];
  for (const test of tests) out.push(await runOne(test, opts, info, cache));
  return out;
}

export function loadExternals(file: string): Record<string, Record<string, string>> {
  return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as Record<string, Record<string, string>>;
}

/** The plain per-suite table and the final `N passed, M failed` line. */
export function formatReport(outcomes: TestOutcome[]): string {
  const suites = new Map<string, { passed: number; failed: number }>();
  for (const o of outcomes) {
    const s = suites.get(o.test.suite) ?? { passed: 0, failed: 0 };
    if (o.passed) s.passed++;
    else s.failed++;
    suites.set(o.test.suite, s);
  }
  const lines = ['suite                          passed  failed  total'];
  for (const [name, s] of suites) {
    lines.push(`${name.padEnd(30)} ${String(s.passed).padStart(6)}  ${String(s.failed).padStart(6)}  ${String(s.passed + s.failed).padStart(5)}`);
  }
  const lenient = outcomes.filter((o) => o.passed && o.lenient);
  if (lenient.length > 0) {
    lines.push('', `${lenient.length} of the passes rest on the Java comparator's base64 fallback (RUNNING.md §5.2; docs/terminology.md):`);
    for (const o of lenient) lines.push(`  ${o.test.suite}/${o.test.name}: ${o.lenient!.join('; ').slice(0, 300)}`);
  }
  const passed = outcomes.filter((o) => o.passed).length;
  lines.push(`${passed} passed, ${outcomes.length - passed} failed`);
  return lines.join('\n');
}

/** `suite/name` of tests that passed (a duplicated name counts only when every instance passed). */
export function passingNames(outcomes: TestOutcome[]): string[] {
  const state = new Map<string, boolean>();
  for (const o of outcomes) {
    const name = `${o.test.suite}/${o.test.name}`;
    state.set(name, (state.get(name) ?? true) && o.passed);
  }
  return [...state].filter(([, ok]) => ok).map(([name]) => name);
}
