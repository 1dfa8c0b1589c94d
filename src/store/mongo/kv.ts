import type { Db } from 'mongodb';
import type { KeyValueStore } from '../store.js';
import { guard } from './connection.js';

interface KvDoc {
  _id: string;
  /** JSON text, so any JSON value round-trips exactly (no BSON key restrictions). */
  value: string;
}

export class MongoKeyValueStore implements KeyValueStore {
  constructor(
    private readonly db: Db,
    private readonly assertOpen: () => void,
  ) {}

  private get kv() {
    return this.db.collection<KvDoc>('kv');
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    this.assertOpen();
    const doc = await guard('kv.get', () => this.kv.findOne({ _id: key }));
    return doc ? (JSON.parse(doc.value) as T) : undefined;
  }

  async set<T = unknown>(key: string, value: T): Promise<void> {
    this.assertOpen();
    if (value === undefined) throw new TypeError(`kv.set(${key}): value must not be undefined`);
    await guard('kv.set', () => this.kv.updateOne({ _id: key }, { $set: { value: JSON.stringify(value) } }, { upsert: true }));
  }

  async delete(key: string): Promise<void> {
    this.assertOpen();
    await guard('kv.delete', () => this.kv.deleteOne({ _id: key }));
  }
}
