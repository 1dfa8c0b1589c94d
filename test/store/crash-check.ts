/**
 * kill -9 during a burst of writes: every write the child acknowledged must be there after a
 * restart, and nothing half-written may be visible. Shared by the SQLite and MongoDB tests.
 */
import assert from 'node:assert/strict';
import type { Basic } from 'fhir/r4';
import type { Store, StoreOptions } from '../../src/store/store.js';
import { burstMessage } from './fixtures/burst.js';
import { spawnStoreChild } from './fixtures/child.js';

export interface CrashReport {
  ackedResources: number;
  ackedJournal: number;
}

/**
 * Starts `writers` burst processes on the same database (they contend for the same resource,
 * journal ids and seqs), SIGKILLs them all once each acknowledged `acksBeforeKill` writes, then
 * checks the store from a fresh instance.
 */
export async function killDuringBurst(options: StoreOptions, openStore: () => Promise<Store>, acksBeforeKill: number, writers = 1): Promise<CrashReport> {
  const children = Array.from({ length: writers }, () => spawnStoreChild('burst', options));
  await Promise.all(
    children.map((child) => {
      let acks = 0;
      return child.waitForLine((line) => line.startsWith('ack ') && ++acks >= acksBeforeKill, 120_000);
    }),
  );
  for (const child of children) child.process.kill('SIGKILL');
  await Promise.all(children.map((child) => child.closed));
  const lines = children.flatMap((child) => child.lines);

  const ackedVersions = new Map<string, number>(); // Basic/id → highest acknowledged versionId
  const ackedJournal = new Map<number, number>(); // journal id → burst number
  for (const line of lines) {
    const [tag, kind, key, value] = line.split(' ');
    if (tag !== 'ack') continue;
    if (kind === 'resource') ackedVersions.set(key!, Math.max(ackedVersions.get(key!) ?? 0, Number(value)));
    if (kind === 'journal') ackedJournal.set(Number(key), Number(value));
  }
  assert.ok(ackedVersions.size > 0 && ackedJournal.size > 0, 'the child acknowledged writes of both kinds before the kill');

  const store = await openStore();
  try {
    for (const [key, versionId] of ackedVersions) {
      const [type, id] = key.split('/') as [string, string];
      const current = await store.resources.read(type, id);
      assert.ok(current && current.versionId >= versionId, `${key} version ${versionId} was acknowledged`);
      // versions contiguous 1..current, every one readable and whole
      const history = await store.resources.history({ resourceType: type, id, order: 'asc' });
      assert.deepEqual(history.map((v) => v.versionId), Array.from({ length: current.versionId }, (_, i) => i + 1));
      for (const v of history) {
        assert.equal(v.resource.id, id);
        assert.equal(v.resource.meta?.versionId, String(v.versionId));
      }
    }
    for (const [id, n] of ackedJournal) {
      const entry = await store.journal.get(id);
      assert.ok(entry, `journal entry ${id} was acknowledged`);
      assert.equal(entry.controlId, `BURST${n}`);
      assert.deepEqual(entry.inbound, burstMessage(n));
    }
    // nothing half-written anywhere: every stored entry is whole, every resource parses
    for (const entry of await store.journal.list({ route: 'burst' })) {
      assert.deepEqual(entry.inbound, burstMessage(Number(entry.controlId.slice('BURST'.length))));
    }
    const all = await store.resources.history({ order: 'asc' });
    for (let i = 1; i < all.length; i++) assert.ok(all[i]!.seq > all[i - 1]!.seq);
    for (const current of await store.resources.listCurrent()) {
      assert.equal((await store.resources.historyCount({ resourceType: current.resourceType, id: current.id })), current.versionId);
    }
    // the store keeps working after the crash
    const hot: Basic & { id: string } = { resourceType: 'Basic', id: 'hot', code: { text: 'after restart' } };
    const after = await store.resources.put(hot);
    assert.equal(after.version.versionId, ((await store.resources.vread('Basic', 'hot', after.version.versionId - 1))?.versionId ?? 0) + 1);
  } finally {
    await store.close();
  }
  return { ackedResources: ackedVersions.size, ackedJournal: ackedJournal.size };
}
