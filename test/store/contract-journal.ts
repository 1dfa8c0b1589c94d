/** Store contract, part 2: the HL7 store-and-forward journal. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JournalAppend } from '../../src/store/store.js';
import { type FixtureFactory, withFixture } from './contract.js';

function message(route: string, controlId: string, extra: Partial<JournalAppend> = {}): JournalAppend {
  return { route, sender: 'RIS^HOSP', controlId, messageType: 'ORM^O01', inbound: Buffer.from(`MSH|^~\\&|RIS|HOSP|||||ORM^O01|${controlId}|P|2.4\r`), state: 'queued', ...extra };
}

export function runJournalContract(make: FixtureFactory): void {
  test('journal: append returns increasing ids and keeps the bytes exactly', () =>
    withFixture(make, async ({ store }) => {
      const gb18030 = Buffer.from([0x4d, 0x53, 0x48, 0x7c, 0xc6, 0xbd, 0xc9, 0xa8, 0x0d, 0x00, 0xff]);
      const entries = await store.journal.append([message('a', '1', { inbound: gb18030, outbound: Buffer.from('OUT'), note: 'rewritten' }), message('a', '2')]);
      assert.equal(entries.length, 2);
      assert.ok(entries[1]!.id > entries[0]!.id);
      const got = await store.journal.get(entries[0]!.id);
      assert.deepEqual(got?.inbound, gb18030);
      assert.deepEqual(got?.outbound, Buffer.from('OUT'));
      assert.equal(got?.note, 'rewritten');
      assert.equal(got?.state, 'queued');
      assert.equal(got?.attempts, 0);
      assert.equal(got?.messageType, 'ORM^O01');
      assert.match(got!.receivedAt, /Z$/);
      assert.equal((await store.journal.get(entries[1]!.id))?.outbound, undefined);
      assert.equal(await store.journal.get(999_999), undefined);
      assert.deepEqual(await store.journal.append([]), []);
    }));

  test('journal: appends in the same tick all commit with distinct ids (group commit)', () =>
    withFixture(make, async ({ store }) => {
      const batches = await Promise.all(Array.from({ length: 25 }, (_, i) => store.journal.append([message('g', `m${i}`)])));
      const ids = batches.flat().map((e) => e.id);
      assert.equal(new Set(ids).size, 25);
      assert.equal((await store.journal.list({ route: 'g' })).length, 25);
      // an invalid append rejects alone; the others of its tick still commit
      const mixed = await Promise.allSettled([
        store.journal.append([message('g', 'ok1')]),
        store.journal.append([{ ...message('g', 'bad'), inbound: 'not a buffer' as unknown as Buffer }]),
        store.journal.append([message('g', 'ok2')]),
      ]);
      assert.deepEqual(mixed.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled']);
      assert.equal((await store.journal.list({ route: 'g' })).length, 27);
    }));

  test('journal: pending, delivered, failed, dead, held and replay states', () =>
    withFixture(make, async ({ store }) => {
      const j = store.journal;
      const [a, b, c] = await j.append([message('r1', '1'), message('r1', '2'), message('r1', '3', { state: 'held', note: 'unmapped OBR-4' })]);
      await j.append([message('r2', '9')]);
      assert.deepEqual((await j.pending('r1', 10)).map((e) => e.id), [a!.id, b!.id]);
      assert.deepEqual((await j.pending('r1', 1)).map((e) => e.id), [a!.id]);
      await j.markDelivered(a!.id);
      await j.markFailed(b!.id, 'ECONNREFUSED');
      let bEntry = await j.get(b!.id);
      assert.equal(bEntry?.state, 'queued');
      assert.equal(bEntry?.attempts, 1);
      assert.equal(bEntry?.lastError, 'ECONNREFUSED');
      await j.markFailed(b!.id, 'AR from downstream', { dead: true });
      bEntry = await j.get(b!.id);
      assert.equal(bEntry?.state, 'dead');
      assert.equal(bEntry?.attempts, 2);
      assert.equal(bEntry?.lastError, 'AR from downstream');
      assert.deepEqual(await j.pending('r1', 10), []);
      await j.setState(c!.id, 'queued', { outbound: Buffer.from('fixed'), note: 'released by admin' });
      const cEntry = await j.get(c!.id);
      assert.equal(cEntry?.state, 'queued');
      assert.deepEqual(cEntry?.outbound, Buffer.from('fixed'));
      assert.equal(cEntry?.note, 'released by admin');
      await j.setState(b!.id, 'queued');
      assert.deepEqual((await j.pending('r1', 10)).map((e) => e.id), [b!.id, c!.id]);
      assert.equal((await j.get(a!.id))?.state, 'delivered');
      await assert.rejects(j.markDelivered(999_999));
      await assert.rejects(j.setState(999_999, 'queued'));
    }));

  test('journal: list filters and counts per route and state', () =>
    withFixture(make, async ({ store }) => {
      const j = store.journal;
      const entries = await j.append([message('r1', '1'), message('r1', '2', { state: 'held' }), message('r2', '3'), message('r2', '4', { state: 'duplicate' })]);
      assert.equal((await j.list({})).length, 4);
      assert.deepEqual((await j.list({ route: 'r2' })).map((e) => e.controlId), ['3', '4']);
      assert.deepEqual((await j.list({ state: 'held' })).map((e) => e.controlId), ['2']);
      assert.deepEqual((await j.list({ afterId: entries[1]!.id, limit: 1 })).map((e) => e.controlId), ['3']);
      assert.equal((await j.list({ from: '2999-01-01T00:00:00Z' })).length, 0);
      assert.equal((await j.list({ to: '2999-01-01T00:00:00Z' })).length, 4);
      const counts = (await j.counts()).map((c) => `${c.route}:${c.state}:${c.count}`).sort();
      assert.deepEqual(counts, ['r1:held:1', 'r1:queued:1', 'r2:duplicate:1', 'r2:queued:1']);
    }));

  test('journal: findDuplicate finds the same sender+controlId received since the window start', () =>
    withFixture(make, async ({ store }) => {
      const j = store.journal;
      const [first] = await j.append([message('r1', 'MSG0001')]);
      await j.append([message('r1', 'MSG0002'), message('r1', 'MSG0001', { sender: 'OTHER^HOSP' })]);
      assert.equal(await j.findDuplicate('RIS^HOSP', 'MSG0001', '2000-01-01T00:00:00Z'), first!.id);
      assert.equal(await j.findDuplicate('RIS^HOSP', 'MSG0003', '2000-01-01T00:00:00Z'), undefined);
      assert.equal(await j.findDuplicate('NOBODY', 'MSG0001', '2000-01-01T00:00:00Z'), undefined);
      assert.equal(await j.findDuplicate('RIS^HOSP', 'MSG0001', '2999-01-01T00:00:00Z'), undefined);
    }));
}
