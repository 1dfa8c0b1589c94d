/**
 * The SQLite journal's ACK gate with the WAL flush held open: a write is reported only after the
 * fdatasync that covers it, messages are handed to the forwarder only once durable, the marks and
 * state changes share the appends' flush, and a failed flush fails the writes it was to cover.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JournalAppend } from '../../src/store/store.js';
import { openDatabase } from '../../src/store/sqlite/db.js';
import { SqliteJournal } from '../../src/store/sqlite/journal.js';

/** A flush that completes only when the test says so. */
class HeldFlush {
  calls = 0;
  private releases: Array<(err?: Error) => void> = [];
  readonly dataSync = () => {
    this.calls += 1;
    return new Promise<void>((resolve, reject) => this.releases.push((err) => (err ? reject(err) : resolve())));
  };
  get waiting(): number {
    return this.releases.length;
  }
  release(err?: Error): void {
    const next = this.releases.shift();
    assert.ok(next, 'a flush is running');
    next(err);
  }
}

function message(controlId: string): JournalAppend {
  return { route: 'r', sender: 'HIS^H', controlId, messageType: 'ORM^O01', inbound: Buffer.from(`MSH|^~\\&|HIS|H|||||ORM^O01|${controlId}|P|2.4\r`), state: 'queued' };
}

const tick = () => new Promise((r) => setImmediate(r));

async function withJournal(fn: (journal: SqliteJournal, flush: HeldFlush) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rimag-journal-flush-'));
  const db = openDatabase(dir);
  const flush = new HeldFlush();
  const journal = new SqliteJournal(db, { dataSync: flush.dataSync });
  try {
    await fn(journal, flush);
  } finally {
    journal.flush();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function settled<T>(p: Promise<T>): { done: () => boolean } {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  return { done: () => done };
}

test('sqlite journal: append resolves only after the WAL flush that covers it; pending hands out only durable messages', () =>
  withJournal(async (journal, flush) => {
    const appended = journal.append([message('A1')]);
    const state = settled(appended);
    await tick();
    await tick();
    assert.equal(flush.waiting, 1, 'the commit started a flush');
    assert.equal(state.done(), false, 'not acknowledged before the flush completes');
    assert.deepEqual(await journal.pending('r', 10), [], 'not handed to the forwarder before it is durable');
    flush.release();
    const [entry] = await appended;
    assert.deepEqual((await journal.pending('r', 10)).map((e) => e.id), [entry!.id]);
  }));

test('sqlite journal: a copy found by findDuplicate is answered only once the original is durable', () =>
  withJournal(async (journal, flush) => {
    const appended = journal.append([message('D1')]);
    await tick();
    await tick();
    const dup = journal.findDuplicate('HIS^H', 'D1', '2000-01-01T00:00:00Z');
    const state = settled(dup);
    await tick();
    assert.equal(state.done(), false);
    flush.release(); // the append's flush
    await appended;
    while (flush.waiting > 0) flush.release(); // the flush the duplicate check asked for
    const [entry] = await journal.list({});
    assert.equal(await dup, entry!.id);
  }));

test('sqlite journal: marks and state changes of one tick share the appends\' transaction and flush', () =>
  withJournal(async (journal, flush) => {
    const first = journal.append([message('M1'), message('M2')]);
    await tick();
    flush.release();
    const [a, b] = await first;
    const callsBefore = flush.calls;
    const writes = Promise.all([journal.markDelivered(a!.id), journal.markFailed(b!.id, 'AE from downstream'), journal.append([message('M3')]), journal.setState(b!.id, 'held')]);
    const state = settled(writes);
    await tick();
    await tick();
    assert.equal(flush.calls - callsBefore, 1, 'one flush for the four writes');
    assert.equal(state.done(), false, 'none reported before the flush');
    flush.release();
    await writes;
    assert.equal((await journal.get(a!.id))?.state, 'delivered');
    const bEntry = await journal.get(b!.id);
    assert.equal(bEntry?.state, 'held');
    assert.equal(bEntry?.lastError, 'AE from downstream');
    // an unknown id fails alone; the others of its tick still commit
    const mixed = Promise.allSettled([journal.markDelivered(999_999), journal.append([message('M4')])]);
    await tick();
    await tick();
    flush.release();
    assert.deepEqual((await mixed).map((s) => s.status), ['rejected', 'fulfilled']);
  }));

test('sqlite journal: delivered-marks alone do not start a flush at once but are made durable shortly', () =>
  withJournal(async (journal, flush) => {
    const first = journal.append([message('L1')]);
    await tick();
    flush.release();
    const [a] = await first;
    const callsBefore = flush.calls;
    const mark = journal.markDelivered(a!.id);
    await tick();
    await tick();
    assert.equal(flush.calls, callsBefore, 'a mark alone waits for company');
    const urgent = journal.append([message('L2')]);
    await tick();
    await tick();
    assert.equal(flush.calls, callsBefore + 1, 'an append starts the flush and the mark rides on it');
    flush.release();
    await Promise.all([mark, urgent]);
    // with no append coming, a lone mark still gets flushed after a short wait
    const lone = journal.markDelivered((await urgent)[0]!.id);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(flush.waiting, 1);
    flush.release();
    await lone;
  }));

test('sqlite journal: a failed flush fails the writes it was to cover (the sender must resend)', () =>
  withJournal(async (journal, flush) => {
    const appended = journal.append([message('F1')]);
    await tick();
    await tick();
    flush.release(new Error('EIO'));
    await assert.rejects(appended, /HL7 journal flush failed: EIO/);
  }));
