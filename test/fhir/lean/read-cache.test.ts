/**
 * The lean path's read cache (src/fhir/lean/read-freshness.ts, lean-path.ts `serveRead`): rendered
 * current versions are served again only while the store's content marker is unchanged, so a
 * version committed by another connection or another process on the same SQLite file is served
 * at the very next request — here no store.watch runs at all, so nothing else could tell the
 * server. Answers stay byte-identical (status, headers, body) to the Express path's.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CodeSystem } from 'fhir/r4';
import { defaultConfig } from '../../../src/config.js';
import { UnavailableError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/logger.js';
import { createFhirServer, type FhirServer } from '../../../src/fhir/app.js';
import { trackStoreContent } from '../../../src/fhir/lean/read-freshness.js';
import { MongoResourceStore } from '../../../src/store/mongo/resources.js';
import { SqliteStore } from '../../../src/store/sqlite/index.js';
import type { ResourceStore, Store } from '../../../src/store/store.js';
import { RecordingRegistry } from '../helpers.js';
import { createMemoryStore } from '../memory-store.js';

const TOKEN = 'read-cache-token';
const CHILD = fileURLToPath(new URL('./fixtures/write-child.ts', import.meta.url));

let dataDir: string;
let leanStore: SqliteStore;
let otherStore: SqliteStore;
let lean: FhirServer;
const servers: Server[] = [];
let leanBase: string;
let expressBase: string;
/** Calls of the lean server's store.read (a cache hit makes none). */
let storeReads = 0;

function codeSystem(id: string, title: string): CodeSystem & { id: string } {
  return { resourceType: 'CodeSystem', id, url: `http://example.org/cs/${id}`, version: '1', title, status: 'active', content: 'complete', concept: [{ code: 'a', display: title }] };
}

async function listen(fhir: FhirServer): Promise<string> {
  const server = createServer(fhir.listener);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/fhir`;
}

function fhirServer(store: Store, leanPath: boolean): FhirServer {
  const config = defaultConfig();
  config.http.leanPath = leanPath;
  config.adminToken = TOKEN;
  return createFhirServer({ operations: {}, registry: new RecordingRegistry(), store, config, logger: silentLogger });
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lean-read-cache-'));
  // Two connections on one file and no store.watch anywhere: only the content marker can tell.
  leanStore = SqliteStore.open({ dataDir });
  otherStore = SqliteStore.open({ dataDir });
  const read = leanStore.resources.read.bind(leanStore.resources);
  leanStore.resources.read = (type, id) => {
    storeReads++;
    return read(type, id);
  };
  lean = fhirServer(leanStore, true);
  leanBase = await listen(lean);
  expressBase = await listen(fhirServer(otherStore, false));
  await otherStore.resources.put(codeSystem('rc', 'One'));
});

after(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  await leanStore.close();
  await otherStore.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | null>;
  body: string;
}

async function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { headers });
  const names = ['content-type', 'content-length', 'etag', 'last-modified', 'x-request-id'];
  return { status: res.status, headers: Object.fromEntries(names.map((n) => [n, res.headers.get(n)])), body: await res.text() };
}

/** The lean answer, checked against the Express answer of the same request. */
async function same(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const viaLean = await get(leanBase, path, headers);
  const viaExpress = await get(expressBase, path, headers);
  assert.deepEqual(viaLean, viaExpress, `${path} ${JSON.stringify(headers)}`);
  return viaLean;
}

const versionOf = (a: Answer): string | undefined => (JSON.parse(a.body) as { meta?: { versionId?: string } }).meta?.versionId;

async function writeFromAnotherProcess(order: object): Promise<{ versionId?: number; deleted?: boolean }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CHILD], { env: { ...process.env, DATA_DIR: dataDir, WRITE: JSON.stringify(order) } });
  return JSON.parse(stdout.trim()) as { versionId?: number; deleted?: boolean };
}

test('a repeated read is served from the read cache without touching the store, byte-identical to Express', async () => {
  const paths: Array<[string, Record<string, string>?]> = [
    ['/CodeSystem/rc'],
    ['/CodeSystem/rc?_summary=true'],
    ['/CodeSystem/rc?_elements=url,version'],
    ['/CodeSystem/rc', { 'Accept-Language': 'en' }],
    ['/CodeSystem/rc', { 'X-Request-Id': 'rc-1' }],
  ];
  for (const [path, headers] of paths) {
    const first = await same(path, headers);
    const reads = storeReads;
    const again = await same(path, headers);
    assert.deepEqual(again, first);
    assert.equal(storeReads, reads, `${path}: the second answer came from the cache`);
  }
  assert.ok(lean.lean?.readCache && lean.lean.readCache.size >= 4, 'one entry per URL and Accept-Language');
});

test('a version written through another connection is served at the next request (no watch)', async () => {
  assert.equal(versionOf(await same('/CodeSystem/rc')), '1');
  await otherStore.resources.put(codeSystem('rc', 'Two'));
  const after = await same('/CodeSystem/rc');
  assert.equal(versionOf(after), '2');
  assert.match(after.body, /"title":"Two"/);
  assert.equal(versionOf(await same('/CodeSystem/rc?_summary=true')), '2', 'every cached form of it is dropped');
});

test('a version written by another process is served at the next request, and so is its deletion', async () => {
  const before = versionOf(await same('/CodeSystem/rc'));
  const written = await writeFromAnotherProcess({ put: codeSystem('rc', 'From the child') });
  assert.equal(String(written.versionId), String(Number(before) + 1));
  const after = await same('/CodeSystem/rc');
  assert.equal(versionOf(after), String(written.versionId));
  assert.match(after.body, /From the child/);
  await writeFromAnotherProcess({ delete: ['CodeSystem', 'rc'] });
  assert.equal((await same('/CodeSystem/rc')).status, 410);
  await otherStore.resources.put(codeSystem('rc', 'Back'));
  assert.match((await same('/CodeSystem/rc')).body, /"title":"Back"/);
});

test("this process's own write (PUT through the same server and connection) is served at once", async () => {
  await same('/CodeSystem/rc'); // cached
  const res = await fetch(`${leanBase}/CodeSystem/rc`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/fhir+json', Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(codeSystem('rc', 'Own write')),
  });
  assert.equal(res.status, 200, await res.text());
  assert.match((await same('/CodeSystem/rc')).body, /"title":"Own write"/);
});

test('404, 410 and conditional reads are not kept; If-None-Match still goes through Express (304)', async () => {
  await otherStore.resources.put(codeSystem('gone', 'Gone'));
  await otherStore.resources.delete('CodeSystem', 'gone');
  const current = await same('/CodeSystem/rc'); // the writes emptied the cache; this read is kept
  const size = lean.lean!.readCache!.size;
  assert.equal(size, 1);
  for (let i = 0; i < 2; i++) {
    assert.equal((await same('/CodeSystem/no-such-id')).status, 404);
    assert.equal((await same('/CodeSystem/gone')).status, 410);
  }
  const etag = current.headers.etag!;
  assert.equal((await same('/CodeSystem/rc', { 'If-None-Match': etag })).status, 304);
  assert.equal((await same('/CodeSystem/rc', { 'If-None-Match': 'W/"999"' })).status, 200);
  assert.equal(lean.lean!.readCache!.size, size, 'only the rc read (already kept) is in the cache');
});

test('an answer the store does not confirm as current is not kept (e.g. read while the database is unavailable)', async () => {
  await otherStore.resources.put(codeSystem('flaky', 'Flaky'));
  const read = leanStore.resources.read;
  let calls = 0;
  leanStore.resources.read = async (type, id) => {
    // The dispatcher's read succeeds; the confirming read finds the database unavailable.
    if (++calls === 2) throw new UnavailableError('simulated');
    return read(type, id);
  };
  try {
    assert.equal((await get(leanBase, '/CodeSystem/flaky')).status, 200);
  } finally {
    leanStore.resources.read = read;
  }
  assert.equal(calls, 2);
  assert.equal(lean.lean!.readCache!.size, 0, 'not kept (the write had emptied the cache)');
  const reads = storeReads;
  await same('/CodeSystem/flaky');
  assert.equal(storeReads - reads, 2, 'computed again, then kept');
});

test('a store without a content marker (MongoDB) gets no read cache; reads still answer as Express does', async () => {
  assert.equal((MongoResourceStore.prototype as Partial<ResourceStore>).contentMarker, undefined, 'MongoDB offers no marker (docs/http.md "Lean path")');
  const store = createMemoryStore(); // stands in for MongoDB: no contentMarker either
  assert.equal(store.resources.contentMarker, undefined);
  const fhir = fhirServer(store, true);
  assert.equal(fhir.lean?.readCache, undefined);
  await store.resources.put(codeSystem('m', 'Memory'));
  const base = await listen(fhir);
  const a = await get(base, '/CodeSystem/m');
  assert.equal(a.status, 200);
  assert.match(a.body, /"title":"Memory"/);
});

test('trackStoreContent: a new generation whenever the marker differs (up or down); undefined while it throws', () => {
  let marker: number | Error = 5;
  const freshness = trackStoreContent({ contentMarker: () => { if (marker instanceof Error) throw marker; return marker; } })!;
  const g1 = freshness.current();
  assert.equal(freshness.current(), g1, 'same marker, same generation');
  marker = 6;
  const g2 = freshness.current()!;
  assert.ok(g2 > g1!);
  marker = 5;
  assert.ok(freshness.current()! > g2, 'a marker going back is a change too, never an old generation');
  marker = new UnavailableError('down');
  assert.equal(freshness.current(), undefined);
  assert.equal(trackStoreContent({}), undefined, 'no marker, no freshness');
});
