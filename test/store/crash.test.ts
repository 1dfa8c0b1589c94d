/** kill -9 robustness of both store implementations (see crash-check.ts). */
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { createStore } from '../../src/store/index.js';
import { DB_FILE_NAME } from '../../src/store/sqlite/db.js';
import { killDuringBurst } from './crash-check.js';

test('sqlite: kill -9 mid-burst loses no acknowledged write and leaves nothing half-written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rimag-crash-'));
  try {
    const options = { dataDir: join(dir, 'data') };
    const report = await killDuringBurst(options, () => createStore(options), 400);
    assert.ok(report.ackedJournal > 0);
    const db = new Database(join(options.dataDir, DB_FILE_NAME), { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: two writer processes on one file, both killed mid-burst: every acknowledged write is there', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rimag-crash2-'));
  try {
    const options = { dataDir: join(dir, 'data') };
    const report = await killDuringBurst(options, () => createStore(options), 200, 2);
    assert.ok(report.ackedJournal > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const uri = process.env.MONGODB_URI;
const skip = uri ? false : 'SKIP-PEER: MONGODB_URI is not set (CI starts FerretDB with .ci/setup-ferretdb.sh)';
if (!uri) console.log(skip);

test('mongodb: kill -9 mid-burst loses no acknowledged write and leaves nothing half-written', { skip }, async () => {
  const options = { dataDir: '/nonexistent', mongodbUri: uri!, mongodbDatabase: `rimag_crash_${randomUUID().slice(0, 8)}` };
  try {
    // two writer processes contend for the same resource, journal ids and seqs
    await killDuringBurst(options, () => createStore(options), 30, 2);
  } finally {
    const raw = new MongoClient(uri!);
    await raw.db(options.mongodbDatabase).dropDatabase();
    await raw.close();
  }
});
