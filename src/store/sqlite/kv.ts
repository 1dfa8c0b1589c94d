import type { KeyValueStore } from '../store.js';
import type { Db } from './db.js';
import { mapSqliteError } from './errors.js';

/** Small JSON values (sync cursors, schedules); each set is its own durable commit. */
export class SqliteKeyValueStore implements KeyValueStore {
  constructor(private readonly db: Db) {}

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const row = mapSqliteError(() => this.db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async set<T = unknown>(key: string, value: T): Promise<void> {
    if (value === undefined) throw new TypeError(`kv.set(${key}): value must not be undefined`);
    mapSqliteError(() => this.db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value)));
  }

  async delete(key: string): Promise<void> {
    mapSqliteError(() => this.db.prepare('DELETE FROM kv WHERE key = ?').run(key));
  }
}
