/**
 * The sync client against a loopback upstream whose pages can be broken on purpose (helpers.ts:
 * a minimal FHIR search/_history server over a real store). The same client against the real
 * server app is exercised in two-servers.test.ts.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { SyncClient, type SyncClientOptions } from '../../src/sync/client.js';
import { withLocalTag } from '../../src/sync/origin.js';
import { allItemsVs, BASE, examItem, hospitalMap, ITEMS_V1, ITEMS_V2, modalityCs, standardMap } from './fixtures.js';
import { fakeUpstream, putAll, putOne, snapshot, tempStore, type FakeUpstream, type Fault, type TempStore } from './helpers.js';

let up: TempStore;
let down: TempStore;
let server: FakeUpstream;

function client(extra: Partial<SyncClientOptions> = {}): SyncClient {
  return new SyncClient({ upstream: server.base, store: down.store, standardBase: BASE, pageSize: 2, retries: 0, timeoutMs: 2000, overlapMs: 0, ...extra });
}

async function standardSnapshot(t: TempStore): Promise<Map<string, string>> {
  const all = await snapshot(t.store);
  return new Map([...all].filter(([, json]) => (JSON.parse(json) as { url?: string }).url?.startsWith(`${BASE}/`)));
}

async function lastAudit(): Promise<{ outcome: string; detail?: string }> {
  const records = await down.store.audit.list({ action: 'sync' });
  return records.reduce((a, b) => (b.seq > a.seq ? b : a));
}

beforeEach(async () => {
  up = await tempStore('sync-up-');
  down = await tempStore('sync-down-');
  await putAll(up.store, [examItem('V3.8.2', ITEMS_V1), modalityCs(), allItemsVs(), standardMap(), hospitalMap('upstream-hospital-map')]);
  server = await fakeUpstream(up.store);
});

afterEach(async () => {
  await server.close();
  await up.close();
  await down.close();
});

describe('sync client', () => {
  test('a full copy takes every standard resource, verified, and not the upstream institutions\' maps', async () => {
    const report = await client().run();
    assert.equal(report.ok, true, report.error);
    assert.equal(report.mode, 'full');
    assert.equal(report.passComplete, true);
    assert.deepEqual(report.created.sort(), [
      'CodeSystem/exam-item|V3.8.2',
      'CodeSystem/modality|V3.8.2',
      'ConceptMap/device-type-to-dicom|V3.8.2',
      'ValueSet/exam-item-all|V3.8.2',
    ]);
    assert.deepEqual(report.skippedNotStandard, ['ConceptMap/upstream-hospital-map']);
    assert.deepEqual(await standardSnapshot(down), await standardSnapshot(up));
    assert.equal(await down.store.resources.read('ConceptMap', 'upstream-hospital-map'), undefined);
    // Paged: 2 per page over 2 CodeSystems, 1 ValueSet, 2 ConceptMaps; then nothing to reconcile.
    assert.equal(report.pages, 3);
    assert.ok(!server.requests.some((r) => r.includes('_id=')));
    assert.equal(report.cursor.phase, 'incremental');
    assert.equal((await lastAudit()).outcome, 'success');
  });

  test('increments bring updates and deletes, and a run with nothing new changes nothing', async () => {
    await client().run();
    const quiet = await client().run();
    assert.equal(quiet.mode, 'incremental');
    assert.equal(quiet.ok, true, quiet.error);
    assert.deepEqual([quiet.created, quiet.updated, quiet.deleted], [[], [], []]);

    await putOne(up.store, examItem('V3.8.2', ITEMS_V2));
    await putOne(up.store, { ...modalityCs(), title: 'v2' });
    await putOne(up.store, { ...modalityCs(), title: 'v3' });
    await up.store.resources.delete('ValueSet', 'exam-item-all');
    const inc = await client().run();
    assert.equal(inc.ok, true, inc.error);
    assert.deepEqual(inc.updated.sort(), ['CodeSystem/exam-item|V3.8.2', 'CodeSystem/modality|V3.8.2']);
    assert.deepEqual(inc.deleted, ['ValueSet/exam-item-all']);
    // Newest-first history: modality's older version v2 comes after v3 and is skipped, not applied.
    assert.ok(inc.skippedStale >= 1);
    const modality = await down.store.resources.read('CodeSystem', 'modality');
    assert.equal((modality?.resource as { title?: string }).title, 'v3');
    assert.equal((await down.store.resources.read('ValueSet', 'exam-item-all'))?.deleted, true);
    assert.deepEqual(await standardSnapshot(down), await standardSnapshot(up));
    // A window overlapping everything above replays creates, updates and the delete: nothing happens.
    const replay = await client({ overlapMs: 3_600_000 }).run();
    assert.equal(replay.ok, true, replay.error);
    const again = await client().run();
    assert.deepEqual([again.created, again.updated, again.deleted], [[], [], []], 'the deleted ValueSet is not resurrected');
    assert.ok(again.skippedStale > 0);
    assert.equal((await down.store.resources.read('ValueSet', 'exam-item-all'))?.deleted, true);
  });

  test('re-running a full copy over synced content is idempotent', async () => {
    const c = client();
    await c.run();
    const versionsBefore = await down.store.resources.headSeq();
    await c.reset();
    const again = await c.run();
    assert.equal(again.mode, 'full');
    assert.deepEqual([again.created, again.updated], [[], []]);
    assert.equal(await down.store.resources.headSeq(), versionsBefore, 'no new versions written');
  });

  test('an interrupted sync resumes from the last stored page, not from the start', async () => {
    // One resource per page: the connection drops on the second CodeSystem page.
    server.fault = (n) => (n === 1 ? 'reset' : undefined);
    const first = await client({ pageSize: 1 }).run();
    assert.equal(first.ok, false);
    assert.match(first.error ?? '', /GET http:\/\/127\.0\.0\.1:\d+\/fhir\/CodeSystem\?_count=1&_offset=1: /);
    assert.equal(first.cursor.phase, 'full');
    assert.ok(first.cursor.next, 'the cursor remembers the page that failed');
    assert.deepEqual(first.created, ['CodeSystem/exam-item|V3.8.2'], 'the first page was stored');
    server.fault = undefined;
    const before = server.requests.length;
    const second = await client({ pageSize: 1 }).run();
    assert.equal(second.ok, true, second.error);
    assert.equal(second.mode, 'full');
    assert.equal(server.requests[before], new URL(first.cursor.next!).pathname + new URL(first.cursor.next!).search);
    assert.equal(second.created.length, 3, 'only what was missing is created');
    assert.deepEqual(await standardSnapshot(down), await standardSnapshot(up));
  });

  test('a delete on the upstream during the full copy cannot make offset paging skip a resource', async () => {
    // Ids sort exam-item < modality < zz-extra; one per page. After page 1, exam-item is deleted
    // upstream, so offset 1 now points past modality: the paging alone would never see it.
    await putOne(up.store, { ...modalityCs(), id: 'zz-extra', url: `${BASE}/CodeSystem/zz-extra` });
    server.onRequest = async (n) => {
      if (n === 1) await up.store.resources.delete('CodeSystem', 'exam-item');
    };
    const report = await client({ pageSize: 1 }).run();
    assert.equal(report.ok, true, report.error);
    assert.ok(server.requests.some((r) => r.includes('_id=modality')), 'the reconciliation fetched the skipped resource');
    assert.ok(await down.store.resources.read('CodeSystem', 'modality'), 'modality was not skipped');
    const inc = await client().run();
    assert.deepEqual(inc.deleted, ['CodeSystem/exam-item']);
    assert.deepEqual(await standardSnapshot(down), await standardSnapshot(up));
  });

  test('local resources are never overwritten; a local edit of a standard resource loses to upstream; both are reported', async () => {
    await putAll(down.store, [hospitalMap(), withLocalTag({ ...standardMap(), group: [] })]);
    const report = await client().run();
    assert.equal(report.ok, true, report.error);
    const kept = await down.store.resources.read('ConceptMap', 'device-type-to-dicom');
    assert.deepEqual((kept?.resource as { group?: unknown[] }).group, [], 'the local-tagged map was not replaced');
    assert.ok(report.conflicts.some((c) => c.resource === 'ConceptMap/device-type-to-dicom' && /tagged local/.test(c.reason)));
    assert.ok(await down.store.resources.read('ConceptMap', 'hospital-a-to-exam-item'));

    await putOne(down.store, { ...modalityCs(), title: 'edited here' });
    await putOne(up.store, { ...modalityCs(), title: 'edited upstream' });
    const inc = await client().run();
    const modality = await down.store.resources.read('CodeSystem', 'modality');
    assert.equal((modality?.resource as { title?: string }).title, 'edited upstream');
    assert.ok(inc.conflicts.some((c) => c.resource === 'CodeSystem/modality' && /upstream wins/.test(c.reason)));
    assert.ok(await down.store.resources.read('ConceptMap', 'hospital-a-to-exam-item'), 'the hospital map survives increments too');
  });
});

describe('bad upstream responses leave the local copy unchanged and say why', () => {
  const cases: Array<[string, Fault, RegExp]> = [
    ['timeout', 'timeout', /timed out after 300 ms/],
    ['HTTP 500 with an OperationOutcome', '500', /HTTP 500: database on fire/],
    ['malformed JSON', 'malformed-json', /malformed JSON/],
    ['not a Bundle', 'not-bundle', /expected a Bundle, got Patient/],
    ['a Bundle entry without id', 'bad-entry', /malformed Bundle: entry 0: CodeSystem has no valid id/],
    ['connection reset', 'reset', /fetch failed|ECONNRESET|socket/i],
  ];
  for (const [name, fault, why] of cases) {
    test(name, async () => {
      await client().run();
      const before = await snapshot(down.store);
      const seqBefore = await down.store.resources.headSeq();
      const cursorBefore = await client().cursor();
      await putOne(up.store, examItem('V3.8.2', ITEMS_V2));
      server.fault = () => fault;
      const report = await client({ timeoutMs: 300 }).run();
      assert.equal(report.ok, false);
      assert.match(report.error ?? '', why);
      assert.deepEqual(await snapshot(down.store), before);
      assert.equal(await down.store.resources.headSeq(), seqBefore);
      assert.deepEqual(await client().cursor(), cursorBefore, 'the cursor did not move');
      assert.equal((await lastAudit()).outcome, 'failure');
      // The upstream recovers: the next run picks the change up.
      server.fault = undefined;
      const recovered = await client().run();
      assert.equal(recovered.ok, true, recovered.error);
      assert.deepEqual(recovered.updated, ['CodeSystem/exam-item|V3.8.2']);
    });
  }

  test('entries of other types (a search outcome, an OperationDefinition) are ignored, not fatal', async () => {
    const c = new SyncClient({ upstream: server.base, store: down.store, standardBase: BASE, pageSize: 10, retries: 0, fetch: async (url, init) => {
      const res = await fetch(url, init);
      const body = (await res.json()) as { entry?: unknown[] };
      body.entry = [...(body.entry ?? []), { resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational' }] }, search: { mode: 'outcome' } }, { resource: { resourceType: 'OperationDefinition', id: 'x' } }];
      return new Response(JSON.stringify(body), { status: res.status, headers: { 'content-type': 'application/fhir+json' } });
    } });
    const report = await c.run();
    assert.equal(report.ok, true, report.error);
    assert.equal(report.created.length, 4);
  });

  test('a transient failure is retried before giving up', async () => {
    server.fault = (n) => (n === 0 ? '500' : undefined);
    const report = await client({ retries: 1, retryDelayMs: 10 }).run();
    assert.equal(report.ok, true, report.error);
    assert.equal(report.created.length, 4);
  });

  test('a next link that leaves the upstream is refused', async () => {
    const evil = await fakeUpstream(up.store);
    try {
      server.fault = undefined;
      const original = server.base;
      const c = new SyncClient({ upstream: original, store: down.store, standardBase: BASE, pageSize: 1, retries: 0, fetch: async (url, init) => {
        const res = await fetch(url, init);
        const body = (await res.json()) as { link?: Array<{ relation: string; url: string }> };
        if (body.link) body.link = body.link.map((l) => ({ ...l, url: l.url.replace(original, evil.base) }));
        return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
      } });
      const report = await c.run();
      assert.equal(report.ok, false);
      assert.match(report.error ?? '', /leaves the upstream/);
    } finally {
      await evil.close();
    }
  });
});
