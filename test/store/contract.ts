/**
 * The store contract: one suite run against every implementation (`sqlite.test.ts`,
 * `mongo.test.ts`). Each test gets a fresh, empty database from the fixture factory.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CodeSystem } from 'fhir/r4';
import { ConflictError, TerminologyError } from '../../src/errors.js';
import type { Store } from '../../src/store/store.js';
import { runJournalContract } from './contract-journal.js';
import { runAuditContract } from './contract-audit.js';
import { codeSystem, valueSet, waitFor } from './helpers.js';

export interface StoreFixture {
  store: Store;
  /** A new Store instance on the same database (a restart, or a second process). */
  reopen(): Promise<Store>;
  /** Changes the stored `detail` of one audit record behind the store's back (raw DB access). */
  tamperAuditRecord(seq: number, detail: string): Promise<void>;
  /** Deletes one audit record behind the store's back. */
  deleteAuditRecord(seq: number): Promise<void>;
  cleanup(): Promise<void>;
}

export type FixtureFactory = () => Promise<StoreFixture>;

/** Runs `fn` with a fresh fixture and always cleans it up. */
export async function withFixture(make: FixtureFactory, fn: (f: StoreFixture) => Promise<void>): Promise<void> {
  const fixture = await make();
  try {
    await fn(fixture);
  } finally {
    await fixture.cleanup();
  }
}

export function runStoreContract(name: string, make: FixtureFactory): void {
  describe(`store contract: ${name}`, () => {
    runResourceContract(make);
    runConcurrencyContract(make);
    runJournalContract(make);
    runAuditContract(make);
    runLifecycleContract(make);
  });
}

function runResourceContract(make: FixtureFactory): void {
  test('put creates version 1, then updates with increasing versions and seq', () =>
    withFixture(make, async ({ store }) => {
      const r = store.resources;
      assert.equal(await r.headSeq(), 0);
      const first = await r.put(codeSystem('cs1', 'A'));
      assert.equal(first.outcome, 'created');
      assert.equal(first.version.versionId, 1);
      assert.equal(first.version.resource.meta?.versionId, '1');
      assert.equal(first.version.resource.meta?.lastUpdated, first.version.lastUpdated);
      assert.match(first.version.lastUpdated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.match(first.version.contentHash, /^[0-9a-f]{64}$/);
      const second = await r.put(codeSystem('cs1', 'B'));
      assert.equal(second.outcome, 'updated');
      assert.equal(second.version.versionId, 2);
      assert.ok(second.version.seq > first.version.seq);
      assert.equal(await r.headSeq(), second.version.seq);
      const current = await r.read('CodeSystem', 'cs1');
      assert.equal(current?.versionId, 2);
      assert.equal((current?.resource as CodeSystem).title, 'B');
      assert.equal(((await r.vread('CodeSystem', 'cs1', 1))?.resource as CodeSystem).title, 'A');
      assert.equal(await r.vread('CodeSystem', 'cs1', 3), undefined);
      assert.equal(await r.read('CodeSystem', 'missing'), undefined);
      assert.equal(await r.read('ValueSet', 'cs1'), undefined);
    }));

  test('putIfChanged skips identical content whatever meta says, and writes changed content', () =>
    withFixture(make, async ({ store }) => {
      const r = store.resources;
      await r.put(codeSystem('cs1', 'A'));
      const same = await r.putIfChanged({ ...codeSystem('cs1', 'A'), meta: { versionId: '99', lastUpdated: '2001-01-01T00:00:00Z' } });
      assert.equal(same.outcome, 'unchanged');
      assert.equal(same.version.versionId, 1);
      // key order does not matter: the hash is over canonical JSON
      const reordered = JSON.parse(JSON.stringify({ title: 'A', ...codeSystem('cs1', 'A') })) as CodeSystem & { id: string };
      assert.equal((await r.putIfChanged(reordered)).outcome, 'unchanged');
      const changed = await r.putIfChanged(codeSystem('cs1', 'B'));
      assert.equal(changed.outcome, 'updated');
      assert.equal(changed.version.versionId, 2);
      assert.notEqual(changed.version.contentHash, same.version.contentHash);
      assert.equal((await r.putIfChanged(codeSystem('cs2', 'A'))).outcome, 'created');
      assert.equal(await r.historyCount({ resourceType: 'CodeSystem', id: 'cs1' }), 2);
    }));

  test('If-Match: matching version writes, any other fails with ConflictError 412', () =>
    withFixture(make, async ({ store }) => {
      const r = store.resources;
      await r.put(codeSystem('cs1', 'A'));
      const ok = await r.put(codeSystem('cs1', 'B'), { ifMatch: 1 });
      assert.equal(ok.version.versionId, 2);
      await assert.rejects(r.put(codeSystem('cs1', 'C'), { ifMatch: 1 }), (err: unknown) => err instanceof ConflictError && err.status === 412);
      await assert.rejects(r.put(codeSystem('nope', 'C'), { ifMatch: 1 }), (err: unknown) => err instanceof ConflictError && err.status === 412);
      await assert.rejects(r.delete('CodeSystem', 'cs1', { ifMatch: 1 }), (err: unknown) => err instanceof ConflictError);
      assert.equal((await r.read('CodeSystem', 'cs1'))?.versionId, 2);
    }));

  test('delete writes a tombstone, keeps history, and a later put re-creates', () =>
    withFixture(make, async ({ store }) => {
      const r = store.resources;
      await r.put(codeSystem('cs1', 'A'));
      await r.put(codeSystem('cs2', 'A'));
      const tomb = await r.delete('CodeSystem', 'cs1');
      assert.equal(tomb?.versionId, 2);
      assert.equal(tomb?.deleted, true);
      assert.equal((tomb?.resource as CodeSystem).title, 'A');
      const current = await r.read('CodeSystem', 'cs1');
      assert.equal(current?.deleted, true);
      assert.equal(await r.delete('CodeSystem', 'cs1'), undefined);
      assert.equal(await r.delete('CodeSystem', 'never'), undefined);
      assert.deepEqual((await r.listCurrent()).map((v) => v.id), ['cs2']);
      assert.equal((await r.vread('CodeSystem', 'cs1', 1))?.deleted, false);
      // putIfChanged with the deleted content must write again: the resource is gone
      const back = await r.putIfChanged(codeSystem('cs1', 'A'));
      assert.equal(back.outcome, 'created');
      assert.equal(back.version.versionId, 3);
      assert.equal(await r.historyCount({ resourceType: 'CodeSystem', id: 'cs1' }), 3);
    }));

  test('history filters by type, id, since and afterSeq, orders, limits and counts', () =>
    withFixture(make, async ({ store }) => {
      const r = store.resources;
      const a1 = await r.put(codeSystem('a', '1'));
      const a2 = await r.put(codeSystem('a', '2'));
      const vs = await r.put(valueSet('a'));
      const b1 = await r.put(codeSystem('b', '1'));
      const all = await r.history({});
      assert.deepEqual(all.map((v) => v.seq), [b1, vs, a2, a1].map((p) => p.version.seq));
      const asc = await r.history({ order: 'asc' });
      assert.deepEqual(asc.map((v) => v.seq), [a1, a2, vs, b1].map((p) => p.version.seq));
      assert.deepEqual((await r.history({ resourceType: 'CodeSystem', id: 'a' })).map((v) => v.versionId), [2, 1]);
      assert.equal((await r.history({ resourceType: 'ValueSet' })).length, 1);
      assert.deepEqual((await r.history({ afterSeq: a2.version.seq, order: 'asc' })).map((v) => v.seq), [vs.version.seq, b1.version.seq]);
      assert.deepEqual((await r.history({ order: 'asc', limit: 2 })).map((v) => v.seq), [a1.version.seq, a2.version.seq]);
      assert.equal(await r.historyCount({}), 4);
      assert.equal(await r.historyCount({ resourceType: 'CodeSystem' }), 3);
      assert.equal(await r.historyCount({ afterSeq: a1.version.seq }), 3);
      assert.equal((await r.history({ since: b1.version.lastUpdated })).every((v) => v.lastUpdated >= b1.version.lastUpdated), true);
      assert.equal(await r.historyCount({ since: '2999-01-01T00:00:00Z' }), 0);
      assert.equal(await r.historyCount({ since: '2000-01-01T08:00:00+08:00' }), 4);
      await assert.rejects(r.history({ since: 'yesterday-ish' }), (err: unknown) => err instanceof TerminologyError && err.status === 400);
    }));

  test('listCurrent returns the newest non-deleted version of each resource, optionally of one type', () =>
    withFixture(make, async ({ store }) => {
      const r = store.resources;
      await r.put(codeSystem('a', '1'));
      await r.put(codeSystem('a', '2'));
      await r.put(codeSystem('b', '1'));
      await r.put(valueSet('v'));
      const all = await r.listCurrent();
      assert.equal(all.length, 3);
      assert.equal(all.find((v) => v.id === 'a')?.versionId, 2);
      assert.deepEqual((await r.listCurrent('CodeSystem')).map((v) => v.id).sort(), ['a', 'b']);
      assert.deepEqual(await r.listCurrent('ConceptMap'), []);
    }));

  test('rejects a resource without a valid id or resourceType', () =>
    withFixture(make, async ({ store }) => {
      await assert.rejects(store.resources.put({ resourceType: 'CodeSystem', id: '' } as never), TerminologyError);
      await assert.rejects(store.resources.put({ resourceType: 'CodeSystem', id: 'a b' } as never), TerminologyError);
      assert.equal(await store.resources.headSeq(), 0);
    }));

  test('kv: get, set, overwrite, delete', () =>
    withFixture(make, async ({ store }) => {
      assert.equal(await store.kv.get('sync.cursor'), undefined);
      await store.kv.set('sync.cursor', { seq: 5, at: 'x' });
      assert.deepEqual(await store.kv.get('sync.cursor'), { seq: 5, at: 'x' });
      await store.kv.set('sync.cursor', 7);
      assert.equal(await store.kv.get('sync.cursor'), 7);
      await store.kv.delete('sync.cursor');
      assert.equal(await store.kv.get('sync.cursor'), undefined);
      await store.kv.delete('never-set');
    }));
}

function runConcurrencyContract(make: FixtureFactory): void {
  test('concurrent writers: versions contiguous per resource, seq unique and strictly increasing', () =>
    withFixture(make, async ({ store }) => {
      const r = store.resources;
      const writes = [];
      for (let i = 0; i < 30; i++) {
        writes.push(r.put(codeSystem('shared', `t${i}`)));
        writes.push(r.put(codeSystem(`own-${i}`, `t${i}`)));
      }
      const results = await Promise.all(writes);
      const shared = results.filter((p) => p.version.id === 'shared').map((p) => p.version.versionId).sort((a, b) => a - b);
      assert.deepEqual(shared, Array.from({ length: 30 }, (_, i) => i + 1));
      const seqs = results.map((p) => p.version.seq);
      assert.equal(new Set(seqs).size, seqs.length);
      const history = await r.history({ order: 'asc' });
      assert.equal(history.length, 60);
      for (let i = 1; i < history.length; i++) assert.ok(history[i]!.seq > history[i - 1]!.seq);
      const sharedHistory = history.filter((v) => v.id === 'shared');
      sharedHistory.forEach((v, i) => assert.equal(v.versionId, i + 1, 'versions follow seq order'));
      assert.equal((await r.read('CodeSystem', 'shared'))?.versionId, 30);
    }));

  test('If-Match under contention: exactly one of N writers wins; retry loops lose no update', () =>
    withFixture(make, async ({ store }) => {
      const r = store.resources;
      const counter: CodeSystem & { id: string } = { ...codeSystem('counter', '0'), count: 0 };
      await r.put(counter);
      const racers = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => r.put(codeSystem('counter', `r${i}`), { ifMatch: 1 })));
      assert.equal(racers.filter((s) => s.status === 'fulfilled').length, 1);
      for (const s of racers) if (s.status === 'rejected') assert.ok(s.reason instanceof ConflictError && s.reason.status === 412);

      const increment = async (): Promise<void> => {
        for (;;) {
          const cur = (await r.read('CodeSystem', 'counter'))!;
          const count = ((cur.resource as CodeSystem).count ?? 0) + 1;
          try {
            const next: CodeSystem & { id: string } = { ...(cur.resource as CodeSystem & { id: string }), count };
            await r.put(next, { ifMatch: cur.versionId });
            return;
          } catch (err) {
            if (!(err instanceof ConflictError)) throw err;
          }
        }
      };
      const before = ((await r.read('CodeSystem', 'counter'))!.resource as CodeSystem).count ?? 0;
      await Promise.all(Array.from({ length: 12 }, increment));
      assert.equal(((await r.read('CodeSystem', 'counter'))!.resource as CodeSystem).count, before + 12);
    }));
}

function runLifecycleContract(make: FixtureFactory): void {
  test('restart: everything written is there after close and reopen, and seq keeps increasing', () =>
    withFixture(make, async (f) => {
      const put = await f.store.resources.put(codeSystem('cs1', 'A'));
      const [entry] = await f.store.journal.append([{ route: 'r', sender: 's', controlId: 'c1', messageType: 'ORM^O01', inbound: Buffer.from([0x0b, 0xff, 0x4d]), state: 'queued' }]);
      await f.store.audit.append({ actor: 'admin', action: 'create', outcome: 'success', entity: 'CodeSystem/cs1/_history/1' });
      await f.store.kv.set('k', { a: 1 });
      await f.store.close();
      const again = await f.reopen();
      try {
        assert.equal((await again.resources.read('CodeSystem', 'cs1'))?.versionId, 1);
        assert.deepEqual((await again.journal.get(entry!.id))?.inbound, Buffer.from([0x0b, 0xff, 0x4d]));
        assert.equal((await again.audit.verify()).ok, true);
        assert.equal((await again.audit.list({})).length, 1);
        assert.deepEqual(await again.kv.get('k'), { a: 1 });
        const next = await again.resources.put(codeSystem('cs1', 'B'));
        assert.equal(next.version.versionId, 2);
        assert.ok(next.version.seq > put.version.seq);
      } finally {
        await again.close();
      }
    }));

  test('watch: a second instance on the same database sees writes above its start', () =>
    withFixture(make, async (f) => {
      await f.store.resources.put(codeSystem('before', 'A'));
      const other = await f.reopen();
      try {
        const seen: string[] = [];
        const stop = other.watch((versions) => seen.push(...versions.map((v) => `${v.id}/${v.versionId}`)));
        await new Promise((resolve) => setTimeout(resolve, 300));
        await f.store.resources.put(codeSystem('after', 'A'));
        await f.store.resources.delete('CodeSystem', 'before');
        await waitFor(() => seen.length >= 2, 15_000, 'watch to report both writes');
        stop();
        assert.deepEqual(seen, ['after/1', 'before/2']);
      } finally {
        await other.close();
      }
    }));

  test('watch from a given seq reports the versions after it, oldest first', () =>
    withFixture(make, async ({ store }) => {
      const first = await store.resources.put(codeSystem('a', '1'));
      await store.resources.put(codeSystem('a', '2'));
      await store.resources.put(codeSystem('b', '1'));
      const seen: string[] = [];
      const stop = store.watch((versions) => seen.push(...versions.map((v) => `${v.id}/${v.versionId}`)), { afterSeq: first.version.seq });
      await waitFor(() => seen.length >= 2, 15_000, 'watch to report the two later versions');
      stop();
      assert.deepEqual(seen, ['a/2', 'b/1']);
    }));

  // The lean path caches rendered reads keyed on this marker (src/fhir/lean/read-freshness.ts), so a
  // write by another instance must change it at once, without waiting for watch. A store that cannot
  // promise that leaves the method out (MongoDB) and its reads are not cached: nothing to check then.
  test('contentMarker (where offered): changes at once with every write of this or another instance, not with reads', () =>
    withFixture(make, async (f) => {
      const marker = f.store.resources.contentMarker?.bind(f.store.resources);
      if (!marker) return;
      const m0 = marker();
      await f.store.resources.read('CodeSystem', 'm');
      await f.store.resources.listCurrent();
      await f.store.resources.headSeq();
      assert.equal(marker(), m0, 'reads leave the marker alone');
      await f.store.resources.put(codeSystem('m', 'A'));
      const m1 = marker();
      assert.notEqual(m1, m0, 'this instance\'s put');
      await f.store.resources.putIfChanged(codeSystem('m', 'A'));
      assert.equal(marker(), m1, 'an unchanged putIfChanged writes nothing');
      const other = await f.reopen();
      try {
        await other.resources.put(codeSystem('m', 'B'));
        const m2 = marker();
        assert.notEqual(m2, m1, 'another instance\'s put, seen without watch');
        assert.equal((await f.store.resources.read('CodeSystem', 'm'))?.versionId, 2);
        await other.resources.delete('CodeSystem', 'm');
        assert.notEqual(marker(), m2, 'another instance\'s delete');
      } finally {
        await other.close();
      }
    }));

  test('ping resolves while open; after close, calls reject with UnavailableError (503)', () =>
    withFixture(make, async (f) => {
      await f.store.ping();
      const other = await f.reopen();
      await other.close();
      await assert.rejects(other.ping(), (err: unknown) => err instanceof TerminologyError && err.status === 503);
      await assert.rejects(other.resources.put(codeSystem('x', 'A')), (err: unknown) => err instanceof TerminologyError && err.status === 503);
      await other.close();
    }));
}
