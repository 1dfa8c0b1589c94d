/**
 * Several server processes on one database: a write in this process reaches the watch of a
 * second process (SQLite: same file; MongoDB: same database).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MongoClient } from 'mongodb';
import { createStore } from '../../src/store/index.js';
import type { StoreOptions } from '../../src/store/store.js';
import { spawnStoreChild } from './fixtures/child.js';
import { codeSystem } from './helpers.js';

async function writeSeenByOtherProcess(options: StoreOptions): Promise<void> {
  const child = spawnStoreChild('watch', options);
  const store = await createStore(options);
  try {
    await child.waitForLine((l) => l === 'ready', 60_000);
    await store.resources.put(codeSystem('from-parent', 'A'));
    await store.resources.put(codeSystem('from-parent', 'B'));
    await store.resources.delete('CodeSystem', 'from-parent');
    await child.waitForLine((l) => l === 'seen CodeSystem/from-parent/3', 15_000);
    assert.deepEqual(
      child.lines.filter((l) => l.startsWith('seen ')),
      ['seen CodeSystem/from-parent/1', 'seen CodeSystem/from-parent/2', 'seen CodeSystem/from-parent/3'],
    );
  } finally {
    child.process.stdin!.end();
    await child.closed;
    await store.close();
  }
}

test('sqlite: a second process sharing the file sees writes through watch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rimag-mp-'));
  try {
    await writeSeenByOtherProcess({ dataDir: join(dir, 'data'), pollIntervalMs: 200 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const uri = process.env.MONGODB_URI;
const skip = uri ? false : 'SKIP-PEER: MONGODB_URI is not set (CI starts FerretDB with .ci/setup-ferretdb.sh)';
if (!uri) console.log(skip);

test('mongodb: a second process on the same database sees writes through watch', { skip }, async () => {
  const options = { dataDir: '/nonexistent', mongodbUri: uri!, mongodbDatabase: `rimag_mp_${randomUUID().slice(0, 8)}`, pollIntervalMs: 200 };
  try {
    await writeSeenByOtherProcess(options);
  } finally {
    const raw = new MongoClient(uri!);
    await raw.db(options.mongodbDatabase).dropDatabase();
    await raw.close();
  }
});
