/**
 * Two real server instances on loopback, each with its own DATA_DIR: a publisher loaded with the
 * repository's content, and a regional subscriber with a local ConceptMap of its own. Covers the
 * full copy, an update on the publisher made through its REST API, the incremental sync, an
 * interrupted sync that resumes, and the local map surviving all of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Bundle, CodeSystem } from 'fhir/r4';
import { SyncClient, type SyncClientOptions } from '../../src/sync/client.js';
import { isUnderBase, withLocalTag } from '../../src/sync/origin.js';
import { fetchPackage, readPackageSnapshot } from '../../src/sync/package-seed.js';
import { repoTerminology } from './content.js';
import { BASE, hospitalMap } from './fixtures.js';
import { snapshot } from './helpers.js';
import { FhirSchemaValidator } from '../../src/fhir/validation/schema-validator.js';
import { ADMIN_TOKEN, startInstance, type ServerInstance } from './servers.js';

const json = { 'content-type': 'application/fhir+json', authorization: `Bearer ${ADMIN_TOKEN}` };

async function standard(instance: ServerInstance): Promise<Map<string, string>> {
  const all = await snapshot(instance.store);
  return new Map([...all].filter(([, body]) => isUnderBase((JSON.parse(body) as { url?: string }).url, BASE)));
}

describe('sync between two server instances', () => {
  let publisher: ServerInstance;
  let regional: ServerInstance;
  let content: ReturnType<typeof repoTerminology>;
  // As main.ts wires it: incoming resources are checked against the FHIR R4 JSON schema too.
  const schema = new FhirSchemaValidator();
  const validateResource = (r: { resourceType: string }): string | undefined => {
    const errors = schema.check(r).filter((i) => (i.severity ?? 'error') === 'error' || i.severity === 'fatal');
    return errors.length > 0 ? errors.map((i) => i.message).join('; ') : undefined;
  };
  const sync = (extra: Partial<SyncClientOptions> = {}): SyncClient =>
    new SyncClient({ upstream: publisher.base, store: regional.store, standardBase: BASE, pageSize: 10, retries: 0, overlapMs: 1000, validateResource, ...extra });

  before(async () => {
    publisher = await startInstance();
    regional = await startInstance();
    content = repoTerminology().filter((r) => isUnderBase((r as { url?: string }).url, BASE));
    // What main.ts does at start: load the content folders into the store.
    for (const r of content) await publisher.store.resources.putIfChanged(r);
    await regional.store.resources.put(withLocalTag(hospitalMap()));
  });
  after(async () => {
    await publisher.stop();
    await regional.stop();
  });

  test('full copy', async () => {
    const report = await sync().run();
    assert.equal(report.ok, true, report.error);
    assert.equal(report.mode, 'full');
    assert.equal(report.created.length, content.length);
    assert.deepEqual(await standard(regional), await standard(publisher));
    // The regional server now answers for the standard over its own REST API.
    const res = await fetch(`${regional.base}/CodeSystem?url=${encodeURIComponent(`${BASE}/CodeSystem/exam-item`)}`);
    const bundle = (await res.json()) as Bundle;
    assert.equal(bundle.total, 1);
    assert.ok(await regional.store.resources.read('ConceptMap', 'hospital-a-to-exam-item'));
  });

  test('an update on the publisher reaches the subscriber incrementally', async () => {
    const modality = (await publisher.store.resources.read('CodeSystem', 'modality'))!.resource as CodeSystem;
    const changed: CodeSystem = { ...modality, title: `${modality.title ?? 'modality'} (rev. 2)`, meta: {} };
    delete changed.meta;
    const put = await fetch(`${publisher.base}/CodeSystem/modality`, { method: 'PUT', headers: json, body: JSON.stringify(changed) });
    assert.equal(put.status, 200, await put.text());
    const created = await fetch(`${publisher.base}/ValueSet/exam-item-ct-new`, {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ resourceType: 'ValueSet', id: 'exam-item-ct-new', url: `${BASE}/ValueSet/exam-item-ct-new`, version: 'V3.8.2', status: 'draft', compose: { include: [{ system: `${BASE}/CodeSystem/exam-item`, filter: [{ property: 'modality', op: '=', value: 'CT' }] }] } }),
    });
    assert.equal(created.status, 201, await created.text());

    const report = await sync().run();
    assert.equal(report.ok, true, report.error);
    assert.equal(report.mode, 'incremental');
    assert.deepEqual(report.updated, ['CodeSystem/modality|' + (modality.version ?? '')]);
    assert.deepEqual(report.created, ['ValueSet/exam-item-ct-new|V3.8.2']);
    assert.deepEqual(await standard(regional), await standard(publisher));
  });

  test('a delete on the publisher is carried over; a second increment is a no-op', async () => {
    const del = await fetch(`${publisher.base}/ValueSet/exam-item-ct-new`, { method: 'DELETE', headers: json });
    assert.ok(del.status === 200 || del.status === 204, String(del.status));
    const report = await sync().run();
    assert.equal(report.ok, true, report.error);
    assert.deepEqual(report.deleted, ['ValueSet/exam-item-ct-new']);
    const quiet = await sync().run();
    assert.deepEqual([quiet.created, quiet.updated, quiet.deleted], [[], [], []]);
    assert.deepEqual(await standard(regional), await standard(publisher));
  });

  test('an interrupted sync into a fresh instance resumes where it stopped', async () => {
    const fresh = await startInstance();
    try {
      let calls = 0;
      const dropThird: SyncClientOptions['fetch'] = async (url, init) => {
        calls++;
        if (calls === 3) throw new TypeError('fetch failed (simulated network drop)');
        return fetch(url, init);
      };
      const c = (f?: SyncClientOptions['fetch']): SyncClient =>
        new SyncClient({ upstream: publisher.base, store: fresh.store, standardBase: BASE, pageSize: 10, retries: 0, ...(f ? { fetch: f } : {}) });
      const first = await c(dropThird).run();
      assert.equal(first.ok, false);
      assert.match(first.error ?? '', /simulated network drop/);
      assert.equal(first.created.length, 20, 'two pages were stored before the drop');
      let resumedFrom: string | undefined;
      const second = await c(async (url, init) => {
        resumedFrom ??= url;
        return fetch(url, init);
      }).run();
      assert.equal(second.ok, true, second.error);
      // The page that failed: the cursor's next link, or the first page of the type it had reached.
      const types = ['CodeSystem', 'ValueSet', 'ConceptMap'];
      assert.equal(resumedFrom, first.cursor.next ?? `${publisher.base}/${types[first.cursor.typeIndex ?? 0]}?_count=10`);
      assert.ok(!/CodeSystem\?_count=10$/.test(resumedFrom ?? ''), 'did not start over');
      assert.equal(first.created.length + second.created.length, (await standard(publisher)).size);
      assert.deepEqual(await standard(fresh), await standard(publisher));
    } finally {
      await fresh.stop();
    }
  });

  test('a fresh subscriber seeded from the publisher\'s release package continues with increments', async () => {
    const created = await fetch(`${publisher.base}/$release`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'name', valueString: 'V3.8.2' }] }),
    });
    assert.equal(created.status, 201, await created.text());
    const fresh = await startInstance();
    try {
      const c = new SyncClient({ upstream: publisher.base, store: fresh.store, standardBase: BASE, pageSize: 10, retries: 0 });
      const tgz = await fetchPackage(`${publisher.base}/packages/rimag.imaging.terminology/3.8.2`, { timeoutMs: 10_000 });
      const seeded = await c.seed(readPackageSnapshot(tgz));
      assert.equal(seeded.ok, true, seeded.error);
      assert.equal(seeded.mode, 'package');
      assert.equal(seeded.created.length, (await standard(publisher)).size);
      assert.deepEqual(await standard(fresh), await standard(publisher));
      // A change after the release reaches the seeded subscriber through _history.
      const modality = (await publisher.store.resources.read('CodeSystem', 'modality'))!.resource as CodeSystem;
      const { meta: _meta, ...content } = modality;
      const put = await fetch(`${publisher.base}/CodeSystem/modality`, { method: 'PUT', headers: json, body: JSON.stringify({ ...content, title: 'after the release' }) });
      assert.equal(put.status, 200, await put.text());
      const inc = await c.run();
      assert.equal(inc.ok, true, inc.error);
      assert.equal(inc.mode, 'incremental');
      assert.deepEqual(inc.updated, [`CodeSystem/modality|${modality.version ?? ''}`]);
      assert.deepEqual(inc.created, []);
      assert.deepEqual(await standard(fresh), await standard(publisher));
      // A corrupt package is refused before anything is written.
      const broken = Buffer.from(tgz);
      broken[broken.length - 20] ^= 0xff;
      assert.throws(() => readPackageSnapshot(broken), /package: not a readable \.tgz/);
    } finally {
      await fresh.stop();
    }
  });

  test('the change feed stays complete while the publisher is being written to', async () => {
    let done = false;
    const writes = (async () => {
      for (let i = 0; i < 30; i++) {
        const id = `concurrent-${i % 6}`;
        const vs = { resourceType: 'ValueSet', id, url: `${BASE}/ValueSet/${id}`, version: `0.${i}.0`, status: 'draft', compose: { include: [{ system: `${BASE}/CodeSystem/modality` }] } };
        const res = await fetch(`${publisher.base}/ValueSet/${id}`, { method: 'PUT', headers: json, body: JSON.stringify(vs) });
        assert.ok(res.status === 200 || res.status === 201, await res.text());
      }
      done = true;
    })();
    // Small pages while the writes go on; a bounded number of passes.
    const reports = [];
    for (let pass = 0; pass < 40 && !done; pass++) reports.push(await sync({ pageSize: 3 }).run());
    await writes;
    const last = await sync({ pageSize: 3 }).run();
    for (const r of [...reports, last]) assert.equal(r.ok, true, r.error);
    assert.deepEqual(await standard(regional), await standard(publisher));
    const vs = await regional.store.resources.read('ValueSet', 'concurrent-5');
    assert.equal((vs?.resource as { version?: string }).version, '0.29.0');
  });

  test('a resource that breaks the FHIR schema is refused alone, reported, and does not block later updates', async () => {
    // Written behind the REST layer's back (its own validation would refuse it).
    await publisher.store.resources.put({ resourceType: 'ValueSet', id: 'broken', url: `${BASE}/ValueSet/broken`, status: 'not-a-status' } as never);
    const modality = (await publisher.store.resources.read('CodeSystem', 'modality'))!.resource as CodeSystem;
    await publisher.store.resources.put({ ...modality, title: 'rev. 3' } as never);
    const report = await sync().run();
    assert.equal(report.ok, true, report.error);
    assert.equal(report.rejected.length, 1);
    assert.match(report.rejected[0]!.resource, /^ValueSet\/broken\|/);
    assert.match(report.rejected[0]!.reason, /status/);
    assert.equal(await regional.store.resources.read('ValueSet', 'broken'), undefined, 'not stored');
    assert.deepEqual(report.updated, [`CodeSystem/modality|${modality.version ?? ''}`], 'the valid update on the same page went through');
    // Fixed upstream by deleting it: the broken version is not reported again.
    await publisher.store.resources.delete('ValueSet', 'broken');
    const after = await sync({ overlapMs: 3_600_000 }).run();
    assert.equal(after.ok, true, after.error);
    const again = await sync().run();
    assert.deepEqual(again.rejected, []);
    assert.deepEqual(await standard(regional), await standard(publisher));
  });

  test('the regional platform\'s local ConceptMap survived every pass', async () => {
    const local = await regional.store.resources.read('ConceptMap', 'hospital-a-to-exam-item');
    assert.ok(local && !local.deleted);
    assert.equal(local.versionId, 1, 'never rewritten');
  });
});
