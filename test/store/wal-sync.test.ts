/**
 * WalSync with the fdatasync under the test's control: overlapping flushes (a write made while a
 * flush runs does not queue behind it), the bound on how many run at once, settling in start order,
 * and a failed flush failing the overlapping ones that started before its error was known.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { WalSync } from '../../src/store/sqlite/wal-sync.js';

/** Flushes that complete only when the test says so, in any order. */
class Flushes {
  readonly started: Array<(err?: Error) => void> = [];
  readonly dataSync = () => new Promise<void>((resolve, reject) => this.started.push((err) => (err ? reject(err) : resolve())));
}

function tracked(p: Promise<void>): { state: () => 'pending' | 'resolved' | 'rejected'; error: () => Error | undefined } {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  let error: Error | undefined;
  p.then(
    () => (state = 'resolved'),
    (err: Error) => {
      state = 'rejected';
      error = err;
    },
  );
  return { state: () => state, error: () => error };
}

const turn = () => new Promise((r) => setImmediate(r));

async function withWal(fn: (wal: WalSync, flushes: Flushes) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rimag-wal-sync-'));
  const path = join(dir, 'db-wal');
  writeFileSync(path, '');
  const flushes = new Flushes();
  const wal = new WalSync(path, flushes.dataSync, 2);
  try {
    await fn(wal, flushes);
  } finally {
    wal.closeNow();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('wal sync: a write made while a flush runs starts its own flush; past the bound, writes share the next one', () =>
  withWal(async (wal, flushes) => {
    const a = tracked(wal.durable());
    assert.equal(flushes.started.length, 1);
    const b = tracked(wal.durable());
    assert.equal(flushes.started.length, 2, 'b did not queue behind a\'s flush');
    const c = tracked(wal.durable());
    const d = tracked(wal.durable());
    assert.equal(flushes.started.length, 2, 'at most two flushes at once');
    flushes.started[0]!();
    await turn();
    assert.equal(a.state(), 'resolved');
    assert.equal(b.state(), 'pending');
    assert.equal(flushes.started.length, 3, 'c and d start one flush together once a slot is free');
    flushes.started[1]!();
    flushes.started[2]!();
    await turn();
    assert.deepEqual([b.state(), c.state(), d.state()], ['resolved', 'resolved', 'resolved']);
  }));

test('wal sync: writers are told durable in the order their flushes started', () =>
  withWal(async (wal, flushes) => {
    const a = tracked(wal.durable());
    const b = tracked(wal.durable());
    flushes.started[1]!(); // the later flush ends first
    await turn();
    assert.equal(b.state(), 'pending', 'not before the earlier flush is done');
    flushes.started[0]!();
    await turn();
    assert.deepEqual([a.state(), b.state()], ['resolved', 'resolved']);
  }));

test('wal sync: a failed flush fails its writers and those of flushes that overlapped it, then recovers', () =>
  withWal(async (wal, flushes) => {
    const a = tracked(wal.durable());
    const b = tracked(wal.durable());
    flushes.started[1]!(); // b's own flush succeeds...
    flushes.started[0]!(new Error('EIO')); // ...but a's, started before it, reports the error
    await turn();
    assert.equal(a.state(), 'rejected');
    assert.match(String(a.error()), /EIO/);
    assert.equal(b.state(), 'rejected', 'the error may have been reported to a\'s flush only');
    const c = tracked(wal.durable());
    assert.equal(flushes.started.length, 3);
    flushes.started[2]!();
    await turn();
    assert.equal(c.state(), 'resolved', 'a flush started after the failure counts again');
  }));

test('wal sync: a lazy write (delivered-mark) starts no flush of its own but rides on the next', () =>
  withWal(async (wal, flushes) => {
    const a = tracked(wal.durable(true));
    assert.equal(flushes.started.length, 0);
    const b = tracked(wal.durable());
    assert.equal(flushes.started.length, 1);
    flushes.started[0]!();
    await turn();
    assert.deepEqual([a.state(), b.state()], ['resolved', 'resolved']);
    const lone = tracked(wal.durable(true));
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(flushes.started.length, 2, 'alone, it is flushed after a short wait');
    flushes.started[1]!();
    await turn();
    assert.equal(lone.state(), 'resolved');
  }));
