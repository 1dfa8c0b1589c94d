/** The store contract against the embedded SQLite store, each test in its own temp DATA_DIR. */
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UnavailableError } from '../../src/errors.js';
import { createStore } from '../../src/store/index.js';
import { DB_FILE_NAME } from '../../src/store/sqlite/db.js';
import { runStoreContract, type StoreFixture } from './contract.js';

function rawUpdate(dataDir: string, sql: string, ...args: unknown[]): void {
  const db = new Database(join(dataDir, DB_FILE_NAME));
  try {
    db.prepare(sql).run(...args);
  } finally {
    db.close();
  }
}

export async function makeSqliteFixture(): Promise<StoreFixture> {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'rimag-store-')), 'data');
  const open = () => createStore({ dataDir, pollIntervalMs: 100 });
  const store = await open();
  const opened = [store];
  return {
    store,
    reopen: async () => {
      const s = await open();
      opened.push(s);
      return s;
    },
    tamperAuditRecord: async (seq, detail) => rawUpdate(dataDir, 'UPDATE audit_record SET detail = ? WHERE seq = ?', detail, seq),
    deleteAuditRecord: async (seq) => rawUpdate(dataDir, 'DELETE FROM audit_record WHERE seq = ?', seq),
    cleanup: async () => {
      for (const s of opened) await s.close();
      rmSync(join(dataDir, '..'), { recursive: true, force: true });
    },
  };
}

runStoreContract('sqlite', makeSqliteFixture);

test('sqlite: a DATA_DIR that cannot be created fails at start with a clear 503 naming the folder', async () => {
  const base = mkdtempSync(join(tmpdir(), 'rimag-store-bad-'));
  try {
    writeFileSync(join(base, 'file'), 'not a folder');
    const dataDir = join(base, 'file', 'data');
    await assert.rejects(createStore({ dataDir }), (err: unknown) => {
      assert.ok(err instanceof UnavailableError);
      assert.match(err.message, new RegExp(`cannot open the embedded database in ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      return true;
    });
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
