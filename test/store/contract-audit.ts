/** Store contract, part 3: the hash-chained audit trail. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FixtureFactory, withFixture } from './contract.js';

export function runAuditContract(make: FixtureFactory): void {
  test('audit: records link into a chain and list filters them', () =>
    withFixture(make, async ({ store }) => {
      const a = store.audit;
      const r1 = await a.append({ actor: 'admin', action: 'create', outcome: 'success', entity: 'CodeSystem/x/_history/1', clientAddress: '127.0.0.1', time: '2026-01-01T00:00:00Z' });
      const r2 = await a.append({ actor: 'anonymous', action: 'denied', outcome: 'denied', entity: 'CodeSystem/x', detail: 'no token' });
      const r3 = await a.append({ actor: 'admin', action: 'hl7.replay', outcome: 'success', entity: 'hl7:route-a' });
      assert.equal(r1.prevHash, '');
      assert.equal(r1.time, '2026-01-01T00:00:00.000Z');
      assert.equal(r2.prevHash, r1.hash);
      assert.equal(r3.prevHash, r2.hash);
      assert.ok(r2.seq > r1.seq && r3.seq > r2.seq);
      assert.ok(r1.algorithm === 'sha256' || r1.algorithm === 'sm3');
      assert.match(r1.hash, /^[0-9a-f]{64}$/);
      assert.deepEqual((await a.list({})).map((r) => r.seq), [r3.seq, r2.seq, r1.seq]);
      assert.deepEqual((await a.list({ order: 'asc', limit: 2 })).map((r) => r.seq), [r1.seq, r2.seq]);
      assert.deepEqual((await a.list({ entity: 'CodeSystem/x' })).map((r) => r.seq), [r2.seq]);
      assert.deepEqual((await a.list({ action: 'hl7.replay' })).map((r) => r.actor), ['admin']);
      assert.deepEqual((await a.list({ to: '2026-06-01T00:00:00Z' })).map((r) => r.seq), [r1.seq]);
      assert.equal((await a.list({ from: '2026-06-01T00:00:00Z' })).length, 2);
      const listed = (await a.list({ entity: 'CodeSystem/x' }))[0]!;
      assert.equal(listed.detail, 'no token');
      assert.equal(listed.outcome, 'denied');
      assert.deepEqual(await a.verify(), { ok: true, checked: 3 });
    }));

  test('audit: verify reports the first tampered record', () =>
    withFixture(make, async (f) => {
      const recs = [];
      for (let i = 0; i < 5; i++) recs.push(await f.store.audit.append({ actor: 'admin', action: 'update', outcome: 'success', detail: `d${i}` }));
      assert.equal((await f.store.audit.verify()).ok, true);
      await f.tamperAuditRecord(recs[2]!.seq, 'rewritten history');
      const result = await f.store.audit.verify();
      assert.equal(result.ok, false);
      assert.equal(result.firstBroken, recs[2]!.seq);
      assert.equal(result.checked, 2);
      assert.ok(result.reason);
    }));

  test('audit: verify detects a deleted record in the middle and at the end', () =>
    withFixture(make, async (f) => {
      const recs = [];
      for (let i = 0; i < 4; i++) recs.push(await f.store.audit.append({ actor: 'a', action: 'update', outcome: 'success' }));
      await f.deleteAuditRecord(recs[3]!.seq);
      assert.equal((await f.store.audit.verify()).firstBroken, recs[3]!.seq);
      await f.deleteAuditRecord(recs[1]!.seq);
      assert.equal((await f.store.audit.verify()).firstBroken, recs[2]!.seq);
    }));

  test('audit: prune removes old records and the chain still verifies from its anchor', () =>
    withFixture(make, async ({ store }) => {
      const a = store.audit;
      for (const day of ['01', '02', '03']) await a.append({ actor: 'a', action: 'update', outcome: 'success', time: `2025-01-${day}T00:00:00Z` });
      await a.append({ actor: 'a', action: 'update', outcome: 'success' });
      assert.equal(await a.prune('2025-01-02T12:00:00Z'), 2);
      assert.equal((await a.list({})).length, 2);
      assert.deepEqual(await a.verify(), { ok: true, checked: 2 });
      await a.append({ actor: 'a', action: 'prune', outcome: 'success' });
      assert.deepEqual(await a.verify(), { ok: true, checked: 3 });
      assert.equal(await a.prune('2000-01-01T00:00:00Z'), 0);
      // pruning everything leaves an empty chain that still verifies and keeps linking
      assert.equal(await a.prune('2999-01-01T00:00:00Z'), 3);
      assert.deepEqual(await a.verify(), { ok: true, checked: 0 });
      const next = await a.append({ actor: 'a', action: 'update', outcome: 'success' });
      assert.ok(next.seq > 5);
      assert.notEqual(next.prevHash, '');
      assert.deepEqual(await a.verify(), { ok: true, checked: 1 });
    }));
}
