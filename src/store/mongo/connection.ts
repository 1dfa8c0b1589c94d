/**
 * MongoDB connection: connects with retries (a clear error when the server stays unreachable),
 * learns what the deployment offers from `hello`, creates collections' indexes, and maps driver
 * failures to UnavailableError (503) so the HTTP edge answers fast instead of hanging.
 *
 * Relied on: MongoDB 4.4+ wire protocol (hello, unique compound
 * indexes, insertMany ordered). Replica set only for the extras: multi-document transactions
 * (atomic journal batches) and change streams (prompt `watch`); without them the store stays
 * correct (single-document commits, polling).
 */
import { type Db, type IndexDescription, MongoClient, MongoClientClosedError, MongoNetworkError, MongoNotConnectedError, MongoOperationTimeoutError, MongoServerSelectionError, MongoTopologyClosedError, MongoWriteConcernError } from 'mongodb';
import { UnavailableError } from '../../errors.js';

export interface MongoConnectOptions {
  uri: string;
  database: string;
  serverSelectionTimeoutMs: number;
  connectRetries: number;
}

export interface Deployment {
  /** Replica set name when the server is a replica-set member (transactions and change streams). */
  setName?: string;
  transactions: boolean;
}

export interface MongoConnection {
  client: MongoClient;
  db: Db;
  deployment: Deployment;
}

/** The URI without credentials, for messages and logs. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}

export async function connectMongo(options: MongoConnectOptions): Promise<MongoConnection> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= options.connectRetries; attempt++) {
    const client = new MongoClient(options.uri, {
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMs,
      connectTimeoutMS: options.serverSelectionTimeoutMs,
      // a server that accepts the connection but stops answering must not hang a request forever
      socketTimeoutMS: Math.max(20_000, options.serverSelectionTimeoutMs * 4),
      promoteBuffers: true,
      writeConcern: { w: 'majority', journal: true },
    });
    try {
      await client.connect();
      const db = client.db(options.database);
      const hello = (await db.admin().command({ hello: 1 })) as { setName?: string; logicalSessionTimeoutMinutes?: number };
      const deployment: Deployment = {
        ...(hello.setName !== undefined && { setName: hello.setName }),
        transactions: hello.setName !== undefined && hello.logicalSessionTimeoutMinutes !== undefined,
      };
      await createIndexes(db);
      return { client, db, deployment };
    } catch (err) {
      lastError = err;
      await client.close().catch(() => undefined);
      if (attempt < options.connectRetries) await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** attempt)));
    }
  }
  throw new UnavailableError(
    `MongoDB at ${redactUri(options.uri)} is unreachable after ${options.connectRetries} attempts: ${(lastError as Error)?.message ?? String(lastError)}`,
  );
}

const INDEXES: Record<string, IndexDescription[]> = {
  resource_versions: [
    { key: { resourceType: 1, id: 1, versionId: 1 }, name: 'resource_version', unique: true },
    { key: { seq: 1 }, name: 'seq', unique: true },
    { key: { lastUpdated: 1 }, name: 'last_updated' },
  ],
  hl7_journal: [
    { key: { route: 1, state: 1, _id: 1 }, name: 'route_state' },
    { key: { sender: 1, controlId: 1, receivedAt: 1 }, name: 'duplicate' },
    { key: { receivedAt: 1 }, name: 'received_at' },
  ],
  audit_records: [
    { key: { time: 1 }, name: 'time' },
    { key: { entity: 1 }, name: 'entity' },
  ],
};

async function createIndexes(db: Db): Promise<void> {
  // One index per command: FerretDB 1.24 drops the connection when a multi-index createIndexes
  // names indexes that already exist (every restart).
  for (const [collection, indexes] of Object.entries(INDEXES)) {
    for (const index of indexes) await db.collection(collection).createIndexes([index]);
  }
}

const UNAVAILABLE = [MongoNetworkError, MongoServerSelectionError, MongoTopologyClosedError, MongoNotConnectedError, MongoClientClosedError, MongoOperationTimeoutError, MongoWriteConcernError];

export function isUnavailable(err: unknown): boolean {
  return UNAVAILABLE.some((cls) => err instanceof cls);
}

/** Runs a database call, turning "database unreachable" into UnavailableError (503). */
export async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUnavailable(err)) throw new UnavailableError(`MongoDB unavailable during ${what}: ${(err as Error).message}`);
    throw err;
  }
}

export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown }).code === 11000;
}
