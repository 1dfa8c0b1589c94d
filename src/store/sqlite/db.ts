/**
 * Opens the embedded database: one SQLite file in DATA_DIR, WAL journal, `synchronous=FULL` so a
 * committed transaction survives power loss (the HL7 gateway ACKs only after a durable commit).
 * Several processes may share the file; writers serialise on SQLite's lock (busy_timeout) and
 * every write transaction is BEGIN IMMEDIATE so read-then-write never deadlocks on upgrade.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type Db = Database.Database;

export const DB_FILE_NAME = 'rimag-tx.sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS resource_version (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  resource_type TEXT NOT NULL,
  id TEXT NOT NULL,
  version_id INTEGER NOT NULL,
  last_updated TEXT NOT NULL,
  deleted INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (resource_type, id, version_id)
);
CREATE INDEX IF NOT EXISTS resource_version_updated ON resource_version (last_updated);
CREATE TABLE IF NOT EXISTS resource_current (
  resource_type TEXT NOT NULL,
  id TEXT NOT NULL,
  version_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  PRIMARY KEY (resource_type, id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS hl7_journal (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  route TEXT NOT NULL,
  sender TEXT NOT NULL,
  control_id TEXT NOT NULL,
  message_type TEXT NOT NULL,
  inbound BLOB NOT NULL,
  outbound BLOB,
  state TEXT NOT NULL,
  note TEXT,
  received_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS hl7_journal_route_state ON hl7_journal (route, state, id);
-- Time first, so every append lands at the right edge of the index (one page per commit). An index
-- led by (sender, control_id) put each message on a random page: a third of the WAL written per
-- message. Duplicate checks are answered from the gateway's in-memory window (loaded from this
-- index); this index serves time ranges and the rare journal fallback as an index-only scan.
DROP INDEX IF EXISTS hl7_journal_dup;
DROP INDEX IF EXISTS hl7_journal_received;
CREATE INDEX IF NOT EXISTS hl7_journal_received_keys ON hl7_journal (received_at, sender, control_id);

CREATE TABLE IF NOT EXISTS audit_record (
  seq INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT,
  outcome TEXT NOT NULL,
  client_address TEXT,
  detail TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  algorithm TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_record_time ON audit_record (time);
CREATE INDEX IF NOT EXISTS audit_record_entity ON audit_record (entity);

CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
-- store-internal state (audit chain header/anchor/head), apart from the callers' kv namespace
CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DB_FILE_NAME));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  return db;
}

/** Runs `fn` in a BEGIN IMMEDIATE transaction (write lock taken up front). */
export function writeTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}

export function readMeta<T>(db: Db, key: string): T | undefined {
  const row = db.prepare('SELECT value FROM store_meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as T) : undefined;
}

export function writeMeta(db: Db, key: string, value: unknown): void {
  db.prepare('INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
}

/** `LIMIT n` for a caller's limit (negative → 0; absent or not a number → no limit). */
export function limitClause(limit: number | undefined): string {
  return limit !== undefined && Number.isFinite(limit) ? `LIMIT ${Math.max(0, Math.floor(limit))}` : '';
}
