import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/config.js';
import request from 'supertest';
import type { OperationTable } from '../../src/fhir/operation-types.js';
import { buildTestApp } from './helpers.js';
import { codeSystem } from './fixtures.js';

const TX_TESTS = join(REPO_ROOT, '..', 'shared', 'tx-ecosystem', 'tests');
const noop = async () => ({ resourceType: 'Parameters' as const });
const operations: OperationTable = {
  'CodeSystem/$lookup': noop, 'CodeSystem/$validate-code': noop, 'CodeSystem/$subsumes': noop,
  'ValueSet/$expand': noop, 'ValueSet/$validate-code': noop, 'ConceptMap/$translate': noop,
};

/** Templates of the tx-ecosystem comparer (RUNNING.md §5.2), the subset the metadata files use. */
const TEMPLATES: Record<string, RegExp> = {
  $url$: /^(https?|urn):\S+$/,
  $token$: /^[0-9a-zA-Z_.\-:]+$/,
  $string$: /^\S(.*\S)?$/s,
  $date$: /^\d{4}(-\d{2}(-\d{2})?)?$/,
  $semver$: /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/,
};

/** Pattern mode (RUNNING.md §5.1): extra properties ignored, arrays matched as ordered subsequences. */
function patternMismatch(expected: unknown, actual: unknown, path: string): string | undefined {
  if (typeof expected === 'string') {
    if (expected === '$$') return undefined;
    if (expected === '$version$') return actual === '4.0.1' ? undefined : `${path}: expected 4.0.1, got ${JSON.stringify(actual)}`;
    const re = TEMPLATES[expected];
    if (re) return typeof actual === 'string' && re.test(actual) ? undefined : `${path}: ${JSON.stringify(actual)} does not match ${expected}`;
    return expected === actual ? undefined : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array`;
    let i = 0;
    for (const [k, e] of expected.entries()) {
      while (i < actual.length && patternMismatch(e, actual[i], '') !== undefined) i++;
      if (i === actual.length) return `${path}[${k}]: no element matching ${JSON.stringify(e).slice(0, 120)} (in order)`;
      i++;
    }
    return undefined;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) return `${path}: expected an object`;
    for (const [k, e] of Object.entries(expected)) {
      const m = patternMismatch(e, (actual as Record<string, unknown>)[k], `${path}.${k}`);
      if (m) return m;
    }
    return undefined;
  }
  return expected === actual ? undefined : `${path}: expected ${String(expected)}`;
}

test('CapabilityStatement lists what is mounted, in the order the tx tests expect', async () => {
  const { app } = buildTestApp({ operations });
  const res = await request(app).get('/fhir/metadata').set('Accept', 'application/fhir+json; fhirVersion=4.0');
  assert.equal(res.status, 200);
  const cs = res.body;
  assert.equal(cs.resourceType, 'CapabilityStatement');
  assert.equal(cs.fhirVersion, '4.0.1');
  assert.deepEqual(cs.instantiates, ['http://hl7.org/fhir/CapabilityStatement/terminology-server']);
  assert.deepEqual(cs.extension.map((e: { extension: Array<{ valueCanonical?: string }> }) => e.extension[0]!.valueCanonical), [
    'http://hl7.org/fhir/uv/tx-tests/FeatureDefinition/test-version',
    'http://hl7.org/fhir/uv/tx-ecosystem/FeatureDefinition/CodeSystemAsParameter',
  ]);
  const rest = cs.rest[0];
  assert.deepEqual(rest.resource.map((r: { type: string }) => r.type), ['CodeSystem', 'ValueSet', 'ConceptMap', 'OperationDefinition']);
  const codeSystemRes = rest.resource[0];
  assert.deepEqual(codeSystemRes.operation.map((o: { name: string }) => o.name), ['lookup', 'validate-code', 'subsumes']);
  assert.deepEqual(rest.resource[1].operation.map((o: { name: string }) => o.name), ['expand', 'validate-code']);
  assert.equal(codeSystemRes.operation[0].definition, 'http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup');
  // No ADMIN_TOKEN: writes are not advertised.
  assert.deepEqual(codeSystemRes.interaction.map((i: { code: string }) => i.code), ['read', 'vread', 'history-instance', 'history-type', 'search-type']);
  assert.deepEqual(rest.operation, [{ name: 'versions', definition: 'http://hl7.org/fhir/OperationDefinition/CapabilityStatement-versions' }]);
  assert.ok(rest.security.service.length > 0);
  assert.ok(codeSystemRes.searchParam.some((p: { name: string }) => p.name === 'url'));

  const admin = buildTestApp({ operations, config: (c) => { c.adminToken = 't'; } });
  const withWrites = (await request(admin.app).get('/fhir/metadata')).body.rest[0];
  assert.deepEqual(withWrites.resource[0].interaction.map((i: { code: string }) => i.code), ['read', 'vread', 'update', 'delete', 'history-instance', 'history-type', 'create', 'search-type']);
  assert.equal(withWrites.resource.at(-1).type, 'AuditEvent');
});

test('TerminologyCapabilities lists every code system version from the registry and the expansion parameters', async () => {
  const { app, registry } = buildTestApp({ operations });
  registry.add({ ...codeSystem(), id: 'a' });
  registry.add({ ...codeSystem({ version: '2.0.0' }), id: 'b' });
  const res = await request(app).get('/fhir/metadata?mode=terminology');
  assert.equal(res.status, 200);
  assert.equal(res.body.resourceType, 'TerminologyCapabilities');
  assert.deepEqual(res.body.codeSystem, [{ uri: 'http://example.org/cs/body-site', version: [{ code: '1.0.0' }, { code: '2.0.0' }] }]);
  const names = res.body.expansion.parameter.map((p: { name: string }) => p.name);
  for (const required of ['activeOnly', 'count', 'displayLanguage', 'offset', 'tx-resource']) assert.ok(names.includes(required), required);
  assert.equal((await request(app).get('/fhir/metadata?mode=bogus')).status, 400);
});

test('$versions answers version and default 4.0 (RUNNING.md §3.1 bootstrap)', async () => {
  const { app } = buildTestApp({ operations });
  const res = await request(app).get('/fhir/$versions?_format=json');
  assert.deepEqual(res.body, { resourceType: 'Parameters', parameter: [{ name: 'version', valueString: '4.0' }, { name: 'default', valueString: '4.0' }] });
});

const haveTxTests = existsSync(`${TX_TESTS}/capstmt.json`);
if (!haveTxTests) console.log(`SKIP-PEER: ${TX_TESTS} not present; metadata pattern tests skipped`);

test('metadata satisfies tests/capstmt.json and capterms.json in pattern mode', { skip: haveTxTests ? false : `${TX_TESTS} not present` }, async () => {
  const { app } = buildTestApp({ operations });
  for (const [file, path] of [['capstmt.json', '/fhir/metadata'], ['capterms.json', '/fhir/metadata?mode=terminology']] as const) {
    const expected = JSON.parse(readFileSync(`${TX_TESTS}/${file}`, 'utf8')) as unknown;
    const actual = (await request(app).get(path)).body as unknown;
    assert.equal(patternMismatch(expected, actual, file), undefined);
  }
  // The comparer itself must be able to fail.
  assert.notEqual(patternMismatch({ a: ['x', 'y'] }, { a: ['y', 'x'] }, 't'), undefined);
});
