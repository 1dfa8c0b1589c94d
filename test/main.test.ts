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
