/** The embedded store: one SQLite file in DATA_DIR, shared safely by several processes. */
import { UnavailableError } from '../../errors.js';
import type { ResourceVersion, Store, WatchOptions } from '../store.js';
import { type PollingWatch, watchResourceStore } from '../watch.js';
import { SqliteAuditStore } from './audit.js';
import { type Db, openDatabase } from './db.js';
import { SqliteJournal } from './journal.js';
import { SqliteKeyValueStore } from './kv.js';
import { SqliteResourceStore } from './resources.js';

export interface SqliteStoreOptions {
  dataDir: string;
  pollIntervalMs?: number;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly resources: SqliteResourceStore;
  readonly audit: SqliteAuditStore;
  readonly journal: SqliteJournal;
  readonly kv: SqliteKeyValueStore;
  private readonly watches = new Set<PollingWatch>();

  private constructor(
    private readonly db: Db,
    private readonly pollIntervalMs: number,
  ) {
    this.resources = new SqliteResourceStore(db);
    this.audit = new SqliteAuditStore(db);
    this.journal = new SqliteJournal(db);
    this.kv = new SqliteKeyValueStore(db);
  }

  static open(options: SqliteStoreOptions): SqliteStore {
    let db: Db;
    try {
      db = openDatabase(options.dataDir);
    } catch (err) {
      throw new UnavailableError(`cannot open the embedded database in ${options.dataDir}: ${(err as Error).message}`);
    }
    return new SqliteStore(db, options.pollIntervalMs ?? 1000);
  }

  watch(onChange: (versions: ResourceVersion[]) => void, options: WatchOptions = {}): () => void {
    const watch = watchResourceStore(this.resources, this.pollIntervalMs, onChange, options);
    this.watches.add(watch);
    return () => {
      watch.stop();
      this.watches.delete(watch);
    };
  }

  async ping(): Promise<void> {
    if (!this.db.open) throw new UnavailableError('embedded database is closed');
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    for (const watch of this.watches) watch.stop();
    this.watches.clear();
    if (!this.db.open) return;
    this.journal.flush();
    this.db.close();
  }
}
