/**
 * The in-memory duplicate window: complete for the window once loaded from the journal, so the
 * journal is asked only for what memory does not cover; copies racing their original's group commit
 * wait for its outcome.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { MongoClient } from 'mongodb';
import { DuplicateWindow } from '../../src/hl7/duplicates.js';
import { createStore } from '../../src/store/index.js';
import { DB_FILE_NAME } from '../../src/store/sqlite/db.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import type { Hl7Journal } from '../../src/store/store.js';
import { MemoryJournal } from './memory-journal.js';

const HOUR = 3_600_000;

/** Counts the journal's duplicate lookups. */
class CountingJournal extends MemoryJournal {
  lookups = 0;
  override findDuplicate(sender: string, controlId: string, since: string): Promise<number | undefined> {
    this.lookups += 1;
    return super.findDuplicate(sender, controlId, since);
  }
}

const message = (controlId: string) => ({ route: 'ris', sender: 'HIS^H', controlId, messageType: 'ORM^O01', inbound: Buffer.from('MSH|'), state: 'queued' as const });

test('duplicates: keys loaded from the journal at start are found without asking the journal per message', async () => {
  const journal = new CountingJournal();
  await journal.append([message('A1'), message('A2')]);
  const window = new DuplicateWindow({ journal, windowMs: HOUR });
  assert.equal(await window.load(), 2);
  assert.equal(await window.isDuplicate('HIS^H', 'A1'), true);
  assert.equal((await window.originalOf('HIS^H', 'A2'))?.id, (await journal.list({}))[1]!.id, 'the loaded key knows its entry');
  assert.equal(await window.isDuplicate('HIS^H', 'A3'), false);
  assert.equal(await window.isDuplicate('OTHER^H', 'A1'), false, 'the sender is part of the key');
  assert.equal(journal.lookups, 0, 'memory covers the whole window');
});

test('duplicates: the SQLite journal lists the keys of the window (recentKeys), oldest first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hl7-dup-'));
  const store = SqliteStore.open({ dataDir: dir });
  try {
    await store.journal.append([message('S1')]);
    await store.journal.append([message('S2')]);
    const keys = await store.journal.recentKeys(new Date(Date.now() - HOUR).toISOString());
    assert.deepEqual(keys.map((k) => k.controlId), ['S1', 'S2']);
    assert.deepEqual(keys.map((k) => k.id), (await store.journal.list({})).map((e) => e.id));
    assert.deepEqual(await store.journal.recentKeys(new Date(Date.now() + HOUR).toISOString()), []);
    const window = new DuplicateWindow({ journal: store.journal, windowMs: HOUR });
    await window.load();
    assert.equal(await window.isDuplicate('HIS^H', 'S2'), true);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('duplicates: the MongoDB journal lists the keys of the window (recentKeys), oldest first', async (t) => {
  const uri = process.env.MONGODB_URI;
  if (!uri) {
    console.log('# SKIP-PEER: MONGODB_URI is not set (CI starts FerretDB with .ci/setup-ferretdb.sh)');
    return t.skip('SKIP-PEER: MONGODB_URI is not set');
  }
  const database = `rimag_test_${randomUUID().slice(0, 8)}`;
  const store = await createStore({ dataDir: '/nonexistent', mongodbUri: uri, mongodbDatabase: database, mongodbConnectRetries: 2 });
  const raw = new MongoClient(uri);
  try {
    await store.journal.append([message('M1')]);
    await store.journal.append([message('M2')]);
    const keys = await store.journal.recentKeys!(new Date(Date.now() - HOUR).toISOString());
    assert.deepEqual(keys.map((k) => [k.sender, k.controlId]), [['HIS^H', 'M1'], ['HIS^H', 'M2']]);
    assert.deepEqual(await store.journal.recentKeys!(new Date(Date.now() + HOUR).toISOString()), []);
  } finally {
    await store.close();
    await raw.db(database).dropDatabase();
    await raw.close();
  }
});

test('duplicates: without recentKeys the journal answers for the time before the process started', async () => {
  const journal = new CountingJournal();
  await journal.append([message('B1')]);
  (journal as { recentKeys?: Hl7Journal['recentKeys'] }).recentKeys = undefined; // a journal without the optional method
  const window = new DuplicateWindow({ journal, windowMs: HOUR });
  assert.equal(await window.load(), 0);
  assert.equal(await window.isDuplicate('HIS^H', 'B1'), true, 'found in the journal');
  assert.ok(journal.lookups >= 1);
});

test('duplicates: a copy waits for its original: duplicate once stored, new again when storing failed', async () => {
  const journal = new CountingJournal();
  const window = new DuplicateWindow({ journal, windowMs: HOUR });
  await window.load();
  const claim = window.claim('HIS^H', 'C1');
  let answered: boolean | undefined;
  const copy = window.isDuplicate('HIS^H', 'C1').then((d) => (answered = d));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(answered, undefined, 'no answer before the original is durable');
  claim.stored({ id: 7, receivedAt: '2026-11-23T10:00:00.000Z' });
  assert.equal(await copy, true);
  assert.deepEqual(await window.originalOf('HIS^H', 'C1'), { id: 7, receivedAt: '2026-11-23T10:00:00.000Z' }, 'the original entry, for its ACK');

  const failing = window.claim('HIS^H', 'C2');
  const copy2 = window.isDuplicate('HIS^H', 'C2');
  failing.failed();
  assert.equal(await copy2, false, 'the original was not stored: the copy is new');
  assert.equal(await window.isDuplicate('HIS^H', 'C2'), false, 'and the failed claim is forgotten');
});

test('duplicates: keys leave with the window; beyond maxKeys the journal answers for the evicted ones', async () => {
  let now = 1_000_000;
  const journal = new CountingJournal();
  const window = new DuplicateWindow({ journal, windowMs: 10_000, maxKeys: 2, now: () => now });
  await window.load();
  for (const id of ['D1', 'D2', 'D3']) {
    const [entry] = await journal.append([message(id)]);
    window.claim('HIS^H', id).stored(entry!);
    now += 2000;
  }
  assert.equal(await window.isDuplicate('HIS^H', 'D3'), true);
  assert.ok(window.size <= 2, 'bounded');
  const before = journal.lookups;
  assert.equal(await window.isDuplicate('HIS^H', 'D1'), true, 'evicted from memory, still a duplicate through the journal');
  assert.ok(journal.lookups > before);
  now += 60_000;
  assert.equal(await window.isDuplicate('HIS^H', 'D2'), false, 'outside the window');
});

test('duplicates: opening an older SQLite store drops the random-page duplicate index and keeps its rows findable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hl7-dup-old-'));
  try {
    const first = SqliteStore.open({ dataDir: dir });
    await first.journal.append([message('O1')]);
    await first.close();
    // an index as an older version created it
    const { default: Database } = await import('better-sqlite3');
    const raw = new Database(join(dir, DB_FILE_NAME));
    raw.exec('CREATE INDEX hl7_journal_dup ON hl7_journal (sender, control_id, received_at)');
    raw.close();
    const store = SqliteStore.open({ dataDir: dir });
    try {
      const raw2 = new Database(join(dir, DB_FILE_NAME), { readonly: true });
      const names = (raw2.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'hl7_journal'").all() as Array<{ name: string }>).map((r) => r.name);
      raw2.close();
      assert.ok(!names.includes('hl7_journal_dup'), names.join(', '));
      assert.ok(names.includes('hl7_journal_received_keys'));
      assert.notEqual(await store.journal.findDuplicate('HIS^H', 'O1', '2000-01-01T00:00:00Z'), undefined);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
