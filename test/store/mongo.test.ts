/**
 * The store contract against MongoDB (CI: FerretDB 1.24.2 started by .ci/setup-ferretdb.sh).
 * Each test uses its own database, dropped afterwards. Skips with SKIP-PEER when MONGODB_URI is unset.
 */
import { MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { createStore } from '../../src/store/index.js';
import { runStoreContract, type StoreFixture } from './contract.js';

const uri = process.env.MONGODB_URI;

export async function makeMongoFixture(mongodbUri: string): Promise<StoreFixture> {
  const database = `rimag_test_${randomUUID().slice(0, 8)}`;
  const open = () => createStore({ dataDir: '/nonexistent', mongodbUri, mongodbDatabase: database, pollIntervalMs: 100, mongodbConnectRetries: 2 });
  const raw = new MongoClient(mongodbUri);
  const store = await open();
  const opened = [store];
  const audit = raw.db(database).collection<{ _id: number; detail?: string }>('audit_records');
  return {
    store,
    reopen: async () => {
      const s = await open();
      opened.push(s);
      return s;
    },
    tamperAuditRecord: async (seq, detail) => void (await audit.updateOne({ _id: seq }, { $set: { detail } })),
    deleteAuditRecord: async (seq) => void (await audit.deleteOne({ _id: seq })),
    cleanup: async () => {
      for (const s of opened) await s.close();
      await raw.db(database).dropDatabase();
      await raw.close();
    },
  };
}

if (uri) {
  runStoreContract('mongodb', () => makeMongoFixture(uri));
} else {
  describe('store contract: mongodb', () => {
    const reason = 'SKIP-PEER: MONGODB_URI is not set (CI starts FerretDB with .ci/setup-ferretdb.sh)';
    console.log(reason);
    test('MongoDB store contract', { skip: reason }, () => undefined);
  });
}
