/**
 * MongoDB unreachable at start or mid-run: a clear error after the configured retries, and
 * operations that reject with UnavailableError (503) instead of hanging.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { MongoClient } from 'mongodb';
import { TerminologyError, UnavailableError } from '../../src/errors.js';
import { createStore } from '../../src/store/index.js';
import { codeSystem } from './helpers.js';

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('mongodb: an unreachable server at start fails with a clear UnavailableError after the retries', async () => {
  const port = await unusedPort();
  await assert.rejects(
    createStore({ dataDir: '/nonexistent', mongodbUri: `mongodb://user:secret@127.0.0.1:${port}/`, mongodbConnectRetries: 2, mongodbServerSelectionTimeoutMs: 200 }),
    (err: unknown) => {
      assert.ok(err instanceof UnavailableError);
      assert.equal(err.status, 503);
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}.*unreachable after 2 attempts`));
      assert.doesNotMatch(err.message, /secret/, 'credentials are not echoed');
      return true;
    },
  );
});

/** A TCP relay we can cut, standing in for a network partition between the server and MongoDB. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(
    private readonly target: { host: string; port: number },
    readonly port: number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const uri = process.env.MONGODB_URI;
const skip = uri ? false : 'SKIP-PEER: MONGODB_URI is not set (CI starts FerretDB with .ci/setup-ferretdb.sh)';
if (!uri) console.log(skip);

test('mongodb: losing the server mid-run rejects writes with 503, and writes work again once it is back', { skip }, async () => {
  const target = new URL(uri!);
  const relay = new Relay({ host: target.hostname, port: Number(target.port || 27017) }, await unusedPort());
  await relay.start();
  const database = `rimag_unavail_${randomUUID().slice(0, 8)}`;
  const store = await createStore({ dataDir: '/nonexistent', mongodbUri: `mongodb://127.0.0.1:${relay.port}/?directConnection=true`, mongodbDatabase: database, mongodbServerSelectionTimeoutMs: 500, mongodbConnectRetries: 1 });
  try {
    await store.resources.put(codeSystem('before', 'A'));
    await relay.cut();
    const isUnavailable = (err: unknown) => err instanceof TerminologyError && err.status === 503;
    await assert.rejects(store.resources.put(codeSystem('during', 'A')), isUnavailable);
    await assert.rejects(store.journal.append([{ route: 'r', sender: 's', controlId: '1', messageType: 'ORM^O01', inbound: Buffer.from('MSH'), state: 'queued' }]), isUnavailable);
    await assert.rejects(store.ping(), isUnavailable);
    await relay.start();
    // The driver reconnects on its own; the first attempts may still see the old pool fail.
    let recovered = false;
    for (let i = 0; i < 40 && !recovered; i++) {
      recovered = await store.resources.put(codeSystem('after', 'A')).then(
        () => true,
        async (err: unknown) => {
          assert.ok(isUnavailable(err), `unexpected ${String(err)}`);
          await new Promise((resolve) => setTimeout(resolve, 250));
          return false;
        },
      );
    }
    assert.ok(recovered, 'writes succeed again after the server is back');
    assert.equal((await store.resources.read('CodeSystem', 'before'))?.versionId, 1);
  } finally {
    await store.close();
    await relay.cut();
    const raw = new MongoClient(uri!);
    await raw.db(database).dropDatabase();
    await raw.close();
  }
});
