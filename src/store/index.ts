/**
 * The store factory: MongoDB when `mongodbUri` is set, otherwise the embedded SQLite file in
 * `dataDir` (created if missing). Callers see only the `Store` interface.
 */
import type { Store, StoreOptions } from './store.js';
import { SqliteStore } from './sqlite/index.js';

export type { Store, StoreOptions } from './store.js';

export async function createStore(options: StoreOptions): Promise<Store> {
  if (options.mongodbUri) {
    const { MongoStore } = await import('./mongo/index.js');
    return MongoStore.connect({ ...options, mongodbUri: options.mongodbUri });
  }
  return SqliteStore.open({ dataDir: options.dataDir, ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }) });
}
