/** The MongoDB store (MONGODB_URI): several server processes may share one database. */
import type { ChangeStream } from 'mongodb';
import { UnavailableError } from '../../errors.js';
import type { ResourceVersion, Store, StoreOptions, WatchOptions } from '../store.js';
import { watchResourceStore } from '../watch.js';
import { MongoAuditStore } from './audit.js';
import { connectMongo, type Deployment, guard, type MongoConnection } from './connection.js';
import { MongoJournal } from './journal.js';
import { MongoKeyValueStore } from './kv.js';
import { MongoResourceStore } from './resources.js';

export class MongoStore implements Store {
  readonly kind = 'mongodb';
  readonly resources: MongoResourceStore;
  readonly audit: MongoAuditStore;
  readonly journal: MongoJournal;
  readonly kv: MongoKeyValueStore;
  readonly deployment: Deployment;
  private closed = false;
  private readonly watches = new Set<() => void>();

  private constructor(
    private readonly connection: MongoConnection,
    private readonly pollIntervalMs: number,
  ) {
    const assertOpen = () => {
      if (this.closed) throw new UnavailableError('the MongoDB store is closed');
    };
    const { client, db, deployment } = connection;
    this.deployment = deployment;
    this.resources = new MongoResourceStore(db, assertOpen);
    this.audit = new MongoAuditStore(db, assertOpen);
    this.journal = new MongoJournal(client, db, deployment.transactions, assertOpen);
    this.kv = new MongoKeyValueStore(db, assertOpen);
  }

  static async connect(options: StoreOptions & { mongodbUri: string }): Promise<MongoStore> {
    const connection = await connectMongo({
      uri: options.mongodbUri,
      database: options.mongodbDatabase ?? 'rimag_tx',
      serverSelectionTimeoutMs: options.mongodbServerSelectionTimeoutMs ?? 3000,
      connectRetries: options.mongodbConnectRetries ?? 5,
    });
    return new MongoStore(connection, options.pollIntervalMs ?? 2000);
  }

  watch(onChange: (versions: ResourceVersion[]) => void, options: WatchOptions = {}): () => void {
    const poller = watchResourceStore(this.resources, this.pollIntervalMs, onChange, options);
    // On a replica set a change stream wakes the poller at once; polling stays the source of
    // truth (it also covers gaps and a change stream that dies).
    const stream = this.deployment.setName ? this.openChangeStream(() => poller.poke()) : undefined;
    const stop = () => {
      poller.stop();
      void stream?.close().catch(() => undefined);
      this.watches.delete(stop);
    };
    this.watches.add(stop);
    return stop;
  }

  async ping(): Promise<void> {
    if (this.closed) throw new UnavailableError('the MongoDB store is closed');
    await guard('ping', () => this.connection.db.command({ ping: 1 }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const stop of [...this.watches]) stop();
    await this.journal.drain();
    this.closed = true;
    await this.connection.client.close();
  }

  private openChangeStream(onChange: () => void): ChangeStream | undefined {
    try {
      const stream = this.connection.db.collection('resource_versions').watch([{ $match: { operationType: 'insert' } }]);
      stream.on('change', onChange);
      stream.on('error', () => void stream.close().catch(() => undefined));
      return stream;
    } catch {
      return undefined;
    }
  }
}
