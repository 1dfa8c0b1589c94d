/**
 * Test plumbing for sync: temporary SQLite stores and a loopback "upstream" whose pages can be
 * broken on purpose (timeouts, 500s, malformed JSON/Bundles).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Resource } from 'fhir/r4';
import { createStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';

export interface TempStore {
  store: Store;
  dataDir: string;
  close(): Promise<void>;
}

export async function tempStore(prefix = 'sync-test-'): Promise<TempStore> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const store = await createStore({ dataDir });
  return {
    store,
    dataDir,
    async close() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function putAll(store: Store, resources: Array<Resource & { id: string }>): Promise<void> {
  for (const r of resources) await store.resources.put(r);
}

/** One write of any resource shape (object literals with type-specific fields included). */
export async function putOne<T extends { resourceType: string; id: string }>(store: Store, resource: T): Promise<void> {
  await store.resources.put(resource as unknown as Resource & { id: string });
}

/** Snapshot of the current terminology resources: `Type/id` → content without meta (JSON). */
export async function snapshot(store: Store): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const v of await store.resources.listCurrent()) {
    const { meta: _m, ...content } = v.resource;
    out.set(`${v.resourceType}/${v.id}`, JSON.stringify(content));
  }
  return out;
}

export type Fault = 'timeout' | '500' | 'malformed-json' | 'not-bundle' | 'bad-entry' | 'reset';

export interface FakeUpstream {
  base: string;
  requests: string[];
  /** Decides per request (by 0-based request number and URL) whether to misbehave. */
  fault?: (n: number, url: string) => Fault | undefined;
  /** Runs before request n is answered (e.g. a concurrent write on the upstream). */
  onRequest?: (n: number, url: string) => Promise<void>;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/fhir+json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * A minimal FHIR upstream over a real store: `GET /fhir/{type}?_count&_offset` (searchset) and
 * `GET /fhir/_history?_since&_count&_offset` (history, newest first), with next links. Used for
 * the failure-mode tests; the end-to-end tests use the real app (test/sync/two-servers.test.ts).
 */
export async function fakeUpstream(store: Store): Promise<FakeUpstream> {
  const state: { requests: string[]; fault?: FakeUpstream['fault']; onRequest?: FakeUpstream['onRequest'] } = { requests: [] };
  let base = '';
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base);
    const n = state.requests.length;
    state.requests.push(url.pathname + url.search);
    await state.onRequest?.(n, url.toString());
    const fault = state.fault?.(n, url.toString());
    if (fault === 'timeout') return; // never answer
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault === '500') return send(res, 500, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', details: { text: 'database on fire' } }] });
    if (fault === 'malformed-json') return send(res, 200, '{"resourceType":"Bundle","type":"searchset","entry":[');
    if (fault === 'not-bundle') return send(res, 200, { resourceType: 'Patient', id: 'x' });
    const count = Number(url.searchParams.get('_count') ?? '50');
    const offset = Number(url.searchParams.get('_offset') ?? '0');
    const path = url.pathname.replace(/^\/fhir\/?/, '');
    let bundle: Bundle<Resource>;
    if (path === '_history') {
      const since = url.searchParams.get('_since') ?? undefined;
      const all = await store.resources.history({ ...(since ? { since } : {}), order: 'desc' });
      const page = all.slice(offset, offset + count);
      bundle = {
        resourceType: 'Bundle',
        type: 'history',
        meta: { lastUpdated: new Date().toISOString() },
        total: all.length,
        entry: page.map((v) => ({
          fullUrl: `${base}/fhir/${v.resourceType}/${v.id}`,
          ...(v.deleted ? {} : { resource: v.resource }),
          request: { method: v.deleted ? 'DELETE' : 'PUT', url: `${v.resourceType}/${v.id}` },
          response: { status: '200', etag: `W/"${v.versionId}"` },
        })),
      };
      if (offset + count < all.length) bundle.link = [{ relation: 'next', url: `${base}/fhir/_history?${since ? `_since=${encodeURIComponent(since)}&` : ''}_count=${count}&_offset=${offset + count}` }];
    } else {
      const onlyId = url.searchParams.get('_id');
      const all = (await store.resources.listCurrent(path)).filter((v) => !onlyId || v.id === onlyId).sort((a, b) => (a.id < b.id ? -1 : 1));
      const page = all.slice(offset, offset + count);
      bundle = {
        resourceType: 'Bundle',
        type: 'searchset',
        meta: { lastUpdated: new Date().toISOString() },
        total: all.length,
        entry: page.map((v) => ({ fullUrl: `${base}/fhir/${v.resourceType}/${v.id}`, resource: v.resource, search: { mode: 'match' } })),
      };
      if (offset + count < all.length) bundle.link = [{ relation: 'next', url: `${base}/fhir/${path}?_count=${count}&_offset=${offset + count}` }];
    }
    if (fault === 'bad-entry' && bundle.entry?.[0]) bundle.entry[0] = { resource: { resourceType: 'CodeSystem' } as Resource };
    send(res, 200, bundle);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { error: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base: `${base}/fhir`,
    requests: state.requests,
    get fault() {
      return state.fault;
    },
    set fault(f) {
      state.fault = f;
    },
    get onRequest() {
      return state.onRequest;
    },
    set onRequest(f) {
      state.onRequest = f;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
