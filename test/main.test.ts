/**
 * The composition root end to end: start() on an ephemeral port with a fresh data folder loads the
 * shipped content and FHIR core, serves /fhir, survives a restart without duplicating versions,
 * and stops cleanly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { start } from '../src/main.js';

async function getJson(base: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, { headers: { Accept: 'application/fhir+json; fhirVersion=4.0' } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('start() serves the shipped content and FHIR core, restarts idempotently, stops cleanly', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'main-'));
  try {
    const config = defaultConfig();
    config.http.host = '127.0.0.1';
    config.http.port = 0;
    config.store.dataDir = dataDir;
    const first = await start(config, silentLogger);
    const port = (first.server.address() as { port: number }).port;
    const base = `http://127.0.0.1:${port}/fhir`;
    const gender = await getJson(base, '/CodeSystem/$validate-code?url=http://hl7.org/fhir/administrative-gender&code=male&version=4.0.1');
    assert.equal(gender.status, 200);
    assert.deepEqual((gender.body.parameter as Array<{ name: string; valueBoolean?: boolean }>).find((p) => p.name === 'result'), { name: 'result', valueBoolean: true });
    const exam = await getJson(base, '/CodeSystem?url=https://bzh.rimagcloud.com/fhir/CodeSystem/exam-item&_summary=true');
    assert.equal(exam.body.total, 1);
    const history1 = await getJson(base, '/_history?_summary=count&_count=0');
    await first.stop();

    const second = await start(config, silentLogger);
    const base2 = `http://127.0.0.1:${(second.server.address() as { port: number }).port}/fhir`;
    const history2 = await getJson(base2, '/_history?_count=0');
    assert.equal(history2.body.total, history1.body.total, 'a restart must not write new versions of unchanged content');
    const caps = await getJson(base2, '/metadata');
    assert.equal(caps.body.fhirVersion, '4.0.1');
    await second.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('two server processes on one store: a write through one is searchable and usable in the other', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'main-two-'));
  const config = defaultConfig();
  config.http.host = '127.0.0.1';
  config.http.port = 0;
  config.store.dataDir = dataDir;
  config.store.pollIntervalMs = 100;
  config.adminToken = 'two-token';
  config.terminology.loadFhirCore = false;
  const a = await start(config, silentLogger);
  const b = await start(config, silentLogger);
  try {
    const baseOf = (s: typeof a) => `http://127.0.0.1:${(s.server.address() as { port: number }).port}/fhir`;
    // B's search index is loaded lazily from the store: load it now, so only store.watch can bring the write
    // (a first search after the write would read it from the store before B's registry hears of it).
    assert.equal((await getJson(baseOf(b), '/CodeSystem?url=http://example.org/cs/shared&_summary=count')).body.total, 0);
    const cs = { resourceType: 'CodeSystem', id: 'shared-cs', url: 'http://example.org/cs/shared', status: 'active', content: 'complete', concept: [{ code: 'x', display: 'X' }] };
    const put = await fetch(`${baseOf(a)}/CodeSystem/shared-cs`, {
      method: 'PUT', body: JSON.stringify(cs), headers: { 'Content-Type': 'application/fhir+json', Authorization: 'Bearer two-token' },
    });
    assert.equal(put.status, 201);
    // B learns about it through store.watch (polling here); wait for the condition, not for a time.
    let found = 0;
    for (let i = 0; i < 200 && found === 0; i++) {
      found = (await getJson(baseOf(b), '/CodeSystem?url=http://example.org/cs/shared&_summary=count')).body.total as number;
      if (found === 0) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(found, 1);
    const lookup = await getJson(baseOf(b), '/CodeSystem/$lookup?system=http://example.org/cs/shared&code=x');
    assert.equal(lookup.status, 200);
    assert.deepEqual((lookup.body.parameter as Array<{ name: string; valueString?: string }>).find((p) => p.name === 'display'), { name: 'display', valueString: 'X' });
  } finally {
    await a.stop();
    await b.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('start() wires the matcher operations, the schema check and the canonical base into submissions, and no gateway without MLLP_PORT', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'main-wiring-'));
  const config = defaultConfig();
  config.http.host = '127.0.0.1';
  config.http.port = 0;
  config.store.dataDir = dataDir;
  config.adminToken = 'wiring-token';
  config.terminology.loadFhirCore = false;
  const running = await start(config, silentLogger, { env: {} });
  try {
    assert.equal(running.hl7, undefined, 'the HL7 gateway is off unless a listener is configured');
    const base = `http://127.0.0.1:${(running.server.address() as { port: number }).port}/fhir`;
    const caps = await getJson(base, '/metadata');
    const rest = (caps.body.rest as Array<{ operation?: Array<{ name: string }>; resource: Array<{ type: string; operation?: Array<{ name: string }> }> }>)[0]!;
    assert.ok(rest.operation?.some((o) => o.name === 'standardize'), 'system-level $standardize is advertised');
    const cs = rest.resource.find((r) => r.type === 'CodeSystem');
    assert.ok(cs?.operation?.some((o) => o.name === 'find-matches'), 'CodeSystem/$find-matches is advertised');

    const headers = { 'Content-Type': 'application/fhir+json', Authorization: 'Bearer wiring-token' };
    const map = (id: string, url: string, extra: Record<string, unknown> = {}) => ({
      resourceType: 'ConceptMap', id, url, status: 'active',
      group: [{ source: 'http://hospital.example/exam', target: 'https://bzh.rimagcloud.com/fhir/CodeSystem/exam-item', element: [{ code: 'X1', target: [{ code: '20040100110000', equivalence: 'equivalent' }] }] }],
      ...extra,
    });
    const underStandard = await fetch(`${base}/ConceptMap/$submit`, { method: 'POST', headers, body: JSON.stringify(map('hosp-a', 'https://bzh.rimagcloud.com/fhir/ConceptMap/hosp-a')) });
    assert.equal(underStandard.status, 422);
    assert.match(await underStandard.text(), /canonical base/);
    const schemaBad = await fetch(`${base}/ConceptMap/$submit`, { method: 'POST', headers, body: JSON.stringify(map('hosp-b', 'http://hospital.example/cm/b', { status: 42 })) });
    assert.equal(schemaBad.status, 422);
    assert.match(await schemaBad.text(), /not a valid FHIR R4 ConceptMap/);
    const good = await fetch(`${base}/ConceptMap/$submit`, { method: 'POST', headers, body: JSON.stringify(map('hosp-c', 'http://hospital.example/cm/c')) });
    assert.equal(good.status, 201, await good.text());
  } finally {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
