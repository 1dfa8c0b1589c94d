/**
 * Sync through the composition root: two `start()` servers (src/main.ts) on loopback with their
 * own DATA_DIRs. The regional one ships no content of its own and follows the publisher through
 * the scheduled mode (`sync` config section); what it receives must be usable by its terminology
 * engine, its publishing endpoints must work, and a restart resumes with an increment.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Bundle, CodeSystem, OperationOutcome, Parameters } from 'fhir/r4';
import { defaultConfig, type AppConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { start } from '../../src/main.js';
import { BASE, hospitalMap } from './fixtures.js';

const TOKEN = 'main-sync-token';
const headers = { 'content-type': 'application/fhir+json', authorization: `Bearer ${TOKEN}` };

function config(dataDir: string, extra: Partial<AppConfig> = {}): AppConfig {
  const c = defaultConfig();
  c.http.host = '127.0.0.1';
  c.http.port = 0;
  c.store.dataDir = dataDir;
  c.adminToken = TOKEN;
  return { ...c, ...extra };
}

function baseOf(running: { server: { address(): unknown } }): string {
  return `http://127.0.0.1:${(running.server.address() as { port: number }).port}/fhir`;
}

/** Polls until `check` holds (the scheduled run is asynchronous); bounded, no timing asserted. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`gave up waiting: ${what}`);
}

async function examItemTitle(base: string, id: string): Promise<string | undefined> {
  const res = await fetch(`${base}/CodeSystem/${id}`);
  return res.status === 200 ? ((await res.json()) as CodeSystem).title : undefined;
}

test('a regional server follows the publisher through the scheduled sync of main.ts', { timeout: 240_000 }, async () => {
  const pubDir = mkdtempSync(join(tmpdir(), 'main-pub-'));
  const regDir = mkdtempSync(join(tmpdir(), 'main-reg-'));
  const publisher = await start(config(pubDir), silentLogger);
  let regional: Awaited<ReturnType<typeof start>> | undefined;
  try {
    const pub = baseOf(publisher);
    const regionalConfig = config(regDir, { contentDirs: [], sync: { upstream: pub, intervalMinutes: 60, runAtStart: true, pageSize: 20 } });
    regional = await start(regionalConfig, silentLogger);
    const reg = baseOf(regional);

    const search = `/CodeSystem?url=${encodeURIComponent(`${BASE}/CodeSystem/exam-item`)}&_summary=true`;
    await eventually('the regional server has the exam items', async () => ((await (await fetch(`${reg}${search}`)).json()) as Bundle).total === 1);
    const examId = (((await (await fetch(`${reg}${search}`)).json()) as Bundle).entry?.[0]?.resource as CodeSystem).id!;

    // The synced content is live in the regional engine, device-specific codes included.
    const vc = await fetch(`${reg}/CodeSystem/$validate-code?url=${encodeURIComponent(`${BASE}/CodeSystem/exam-item`)}&code=22072201221100`);
    const result = ((await vc.json()) as Parameters).parameter?.find((p) => p.name === 'result')?.valueBoolean;
    assert.equal(result, true);

    // An institution submits its map to the regional platform: rows are checked by the engine.
    const bad = await fetch(`${reg}/ConceptMap/$submit`, { method: 'POST', headers, body: JSON.stringify(hospitalMap('hosp-x', [['X1', '2001']])) });
    assert.equal(bad.status, 422);
    assert.match(((await bad.json()) as OperationOutcome).issue[0]!.details!.text!, /wrong length/);
    const good = await fetch(`${reg}/ConceptMap/$submit`, { method: 'POST', headers, body: JSON.stringify(hospitalMap('hosp-x', [['X1', '20010701111100']])) });
    assert.equal(good.status, 201, await good.text());

    // The publisher releases and changes the standard; the regional server catches up after a restart.
    const rel = await fetch(`${pub}/$release`, { method: 'POST', headers, body: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'name', valueString: 'V3.8.2' }] }) });
    assert.equal(rel.status, 201, await rel.text());
    const feed = await (await fetch(`${pub}/syndication.xml`)).text();
    assert.ok(feed.includes(`<ncts:contentItemVersion>${BASE}/CodeSystem/exam-item|V3.8.2</ncts:contentItemVersion>`));
    const current = (await (await fetch(`${pub}/CodeSystem/${examId}`)).json()) as CodeSystem;
    const { meta: _meta, ...content } = current;
    const put = await fetch(`${pub}/CodeSystem/${examId}`, { method: 'PUT', headers, body: JSON.stringify({ ...content, title: `${current.title ?? ''} (rev. 2)` }) });
    assert.equal(put.status, 200, await put.text());

    await regional.stop();
    regional = await start(regionalConfig, silentLogger);
    const reg2 = baseOf(regional);
    await eventually('the update reached the regional server', async () => (await examItemTitle(reg2, examId))?.endsWith('(rev. 2)') === true);
    const submitted = await fetch(`${reg2}/ConceptMap/hosp-x`);
    assert.equal(submitted.status, 200, 'the submitted local map survived the sync');
  } finally {
    await regional?.stop();
    await publisher.stop();
    rmSync(pubDir, { recursive: true, force: true });
    rmSync(regDir, { recursive: true, force: true });
  }
});
