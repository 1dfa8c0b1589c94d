/**
 * No request may crash the process or produce a 500 (issue 2 "Errors and bad input"): garbage
 * paths, methods, content types and bodies against the app with the real operation table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createOperationTable } from '../../src/fhir/operations/table.js';
import { TerminologyRegistry } from '../../src/terminology/registry.js';
import { createApp } from '../../src/fhir/app.js';
import { defaultConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createMemoryStore } from './memory-store.js';
import { codeSystem, valueSet } from './fixtures.js';

function realApp() {
  const registry = new TerminologyRegistry();
  registry.add({ ...codeSystem(), id: 'bs' });
  registry.add({ ...valueSet(), id: 'vs' });
  const config = defaultConfig();
  config.adminToken = 'fuzz-token';
  config.http.maxBodyBytes = 64 * 1024;
  return createApp({ operations: createOperationTable({ registry }), registry, store: createMemoryStore(), config, logger: silentLogger });
}

const PATHS = [
  '/fhir', '/fhir/', '/fhir/$', '/fhir/$$', '/fhir/%E0%A4%A', '/fhir/CodeSystem/%00', '/fhir/..%2F..%2Fetc%2Fpasswd',
  '/fhir/CodeSystem/$lookup?code=%ZZ&system=http://example.org/cs/body-site', '/fhir/CodeSystem/$lookup?a[b]=c&code[]=x',
  '/fhir/ValueSet/$expand?url=http://example.org/vs/body-site&count=-5&offset=abc', '/fhir/ValueSet/$expand?url=' + 'x'.repeat(5000),
  '/fhir/ValueSet/$validate-code?url=http://example.org/vs/body-site&code=head&system=http://example.org/cs/body-site',
  '/fhir/ValueSet/vs/$expand?filter=((a*)*)*b', '/fhir/ConceptMap/$translate?code=x', '/fhir/CodeSystem/$subsumes?codeA=a',
  '/fhir/CodeSystem/bs/_history/0', '/fhir/CodeSystem/bs/_history/99999999999999999999', '/fhir/CodeSystem/bs/_history/1/extra',
  '/fhir/CodeSystem?_count=99999999999999999999&_offset=1e9', '/fhir/CodeSystem?_lastUpdated=gt&_sort=,,,', '/fhir/_history?_since=2026-02-30T25:61:00Z',
  '/fhir/AuditEvent/abc', '/fhir/metadata?mode=', '/fhir/Patient', '/fhir/%24versions', '/other', '/fhir/CodeSystem/bs/$lookup?code=head',
];

const BODIES: Array<[string, string]> = [
  ['application/fhir+json', ''], ['application/fhir+json', 'null'], ['application/fhir+json', '[]'], ['application/fhir+json', '"str"'],
  ['application/fhir+json', '{'], ['application/json', '{"resourceType":"Parameters","parameter":"x"}'],
  ['application/json', '{"resourceType":"Parameters","parameter":[null]}'],
  ['application/json', '{"resourceType":"Parameters","parameter":[{"name":"code","valueCode":123}]}'],
  ['application/json', '{"resourceType":"Parameters","parameter":[{"name":"tx-resource","resource":{"resourceType":"CodeSystem"}}]}'],
  ['application/json', '{"resourceType":"Parameters","parameter":[{"name":"valueSet","resource":{"resourceType":"ValueSet","compose":{"include":[{"valueSet":["x"]}]}}}]}'],
  ['application/json', `{"resourceType":"Parameters","parameter":[{"name":"p","part":${'['.repeat(200)}${']'.repeat(200)}}]}`],
  ['application/json', '{"__proto__":{"polluted":1},"resourceType":"CodeSystem","id":"bs","status":"active","content":"complete"}'],
  ['application/json', '{"resourceType":"CodeSystem","id":"bs","status":"active","content":"complete","concept":{"code":"x"}}'],
  ['text/plain', 'hello'], ['application/x-www-form-urlencoded', 'code=x'], ['application/fhir+json; charset=utf-16', '{}'],
  ['application/fhir+json', '\u0000\u0001\u0002'], ['application/json', JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'x', valueString: 'y'.repeat(70 * 1024) }] })],
];

async function assertOutcomeShape(res: request.Response, what: string): Promise<void> {
  assert.notEqual(res.status, 500, `${what} → 500: ${res.text.slice(0, 300)}`);
  if (res.status >= 400) {
    assert.match(String(res.headers['content-type']), /^application\/fhir\+json/, what);
    assert.equal(res.body.resourceType, 'OperationOutcome', `${what}: ${res.text.slice(0, 200)}`);
    assert.ok(res.body.issue.length > 0, what);
  }
}

test('garbage paths with every method answer OperationOutcomes, never 500', async () => {
  const app = realApp();
  for (const path of PATHS) {
    for (const method of ['get', 'post', 'put', 'delete', 'patch'] as const) {
      const res = await request(app)[method](path).set('Authorization', 'Bearer fuzz-token');
      await assertOutcomeShape(res, `${method.toUpperCase()} ${path.slice(0, 80)}`);
    }
  }
});

test('garbage bodies to operations and writes answer OperationOutcomes, never 500', async () => {
  const app = realApp();
  for (const path of ['/fhir/ValueSet/$expand', '/fhir/CodeSystem/$lookup', '/fhir/ValueSet/$validate-code', '/fhir/ConceptMap/$translate', '/fhir/CodeSystem', '/fhir/CodeSystem/bs']) {
    for (const [type, body] of BODIES) {
      const method = path === '/fhir/CodeSystem/bs' ? 'put' : 'post';
      const res = await request(app)[method](path).set('Authorization', 'Bearer fuzz-token').set('Content-Type', type).send(body);
      await assertOutcomeShape(res, `${method.toUpperCase()} ${path} ${type} ${body.slice(0, 60)}`);
    }
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
