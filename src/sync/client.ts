/**
 * The subscribing side: keeps a local store in step with an upstream FHIR terminology server.
 *
 * Pass 1 (full copy): search every CodeSystem, ValueSet and ConceptMap, following `next` links.
 * Later passes (increments): `GET {base}/_history?_since=…&_count=…`, following `next` links.
 *
 * - Idempotent: writes go through `putIfChanged`; an upstream version not newer than the one
 *   already synced is skipped, so overlapping or repeated pages change nothing.
 * - Resumable: the cursor (kv `sync.cursor.<upstream>`) records the next page URL and the pass's
 *   start time; it advances only after a page has been validated as a whole, stored and verified.
 * - Verified: every written resource is read back and its content hash compared with upstream's.
 * - Ownership: upstream wins for standard resources (canonical url under `standardBase`); a local
 *   resource (tagged local, or not the copy sync wrote last time and not standard) is never
 *   overwritten; every such case is reported as a conflict. Upstream resources outside the
 *   standard's base are not imported (an institution's maps belong to its own platform).
 * - Bad upstream responses (timeouts, HTTP errors, malformed JSON or Bundles) stop the run before
 *   anything of that page is written, and the report says why. A well-formed page with one resource
 *   that fails `validateResource` (e.g. the FHIR schema) stores the rest and reports that one as
 *   rejected, so a single bad version cannot block every later update.
 */
import type { Bundle, BundleEntry, Resource } from 'fhir/r4';
import type { AuditStore, KeyValueStore, ResourceStore, ResourceVersion } from '../store/store.js';
import { resourceHash } from './hash.js';
import { canonicalUrl, hasLocalTag, isTerminologyType, isUnderBase, resourceVersion, TERMINOLOGY_TYPES, type TerminologyType } from './origin.js';
import { entryProblem, fetchPage, UpstreamError, type FetchFn, type Page } from './upstream.js';

export interface SyncCursor {
  phase: 'full' | 'incremental';
  /** Full copy: index into the resource types being copied. */
  typeIndex?: number;
  /** URL of the next page of the current pass (resume point); absent at a pass's start. */
  next?: string;
  /** Upstream time when the current pass started; the next pass asks `_since` this (minus overlap). */
  passStartedAt?: string;
  /** `_since` of the current incremental pass. */
  since?: string;
  lastCompletedAt?: string;
}

/** What sync last wrote for one resource, to tell its own copy from a local edit. */
interface SyncedRecord {
  upstreamVersionId?: string;
  hash: string;
  /** Deleted upstream: kept as a tombstone so that older versions seen again stay skipped. */
  deleted?: boolean;
}

export interface SyncConflict {
  resource: string;
  reason: string;
}

export interface SyncReport {
  upstream: string;
  /** 'package' when seeded from a FHIR package snapshot (`seed`). */
  mode: 'full' | 'incremental' | 'package';
  ok: boolean;
  error?: string;
  startedAt: string;
  finishedAt: string;
  pages: number;
  entriesSeen: number;
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: number;
  /** Older or already-synced upstream versions (overlapping pages, newest-first history). */
  skippedStale: number;
  /** Upstream resources outside the standard's canonical base (not imported). */
  skippedNotStandard: string[];
  conflicts: SyncConflict[];
  /** Upstream versions refused by `validateResource` (not stored; the rest of the page is). */
  rejected: SyncConflict[];
  /** True when the whole pass completed (the next run starts an incremental pass). */
  passComplete: boolean;
  cursor: SyncCursor;
}

export interface SyncClientOptions {
  /** Upstream FHIR base URL, e.g. `https://tx.example.org/fhir`. */
  upstream: string;
  store: { resources: ResourceStore; kv: KeyValueStore; audit?: AuditStore };
  /** Canonical base of the standard's resources; upstream wins under it. */
  standardBase: string;
  pageSize?: number;
  timeoutMs?: number;
  /** Retries of a transient failure (timeout, 5xx) per page, with `retryDelayMs` doubling. */
  retries?: number;
  retryDelayMs?: number;
  /** `_since` of a pass = start of the previous pass minus this, to cover writes in flight then. */
  overlapMs?: number;
  fetch?: FetchFn;
  actor?: string;
  types?: readonly TerminologyType[];
  /** Optional deeper check of each incoming resource (e.g. FHIR JSON schema); a message rejects the page. */
  validateResource?: (resource: Resource) => string | undefined;
  /** Called after each verified write / delete (main.ts re-indexes the registry). */
  onWritten?: (version: ResourceVersion) => void;
  onDeleted?: (resourceType: string, id: string) => void;
  /** Stops the run between pages (and aborts the request in flight). */
  signal?: AbortSignal;
}

type Outcome = Pick<SyncReport, 'created' | 'updated' | 'deleted' | 'skippedNotStandard' | 'conflicts' | 'rejected'> & { unchanged: number; skippedStale: number };

function normaliseBase(url: string): string {
  return url.replace(/\/+$/, '');
}

function versionIdOf(entry: BundleEntry): string | undefined {
  const fromMeta = entry.resource?.meta?.versionId;
  if (fromMeta) return fromMeta;
  const etag = entry.response?.etag;
  const m = etag ? /^(?:W\/)?"?([^"]+)"?$/.exec(etag) : null;
  return m?.[1];
}

/** Upstream versionIds are usually integers; compare numerically when both are. */
function isNewer(incoming: string | undefined, known: string | undefined): boolean {
  if (known === undefined || incoming === undefined) return true;
  const a = Number(incoming);
  const b = Number(known);
  if (Number.isFinite(a) && Number.isFinite(b)) return a > b;
  return incoming !== known;
}

/** `CodeSystem/abc` or `CodeSystem/abc/_history/2` (relative or absolute) → [type, id]. */
function keyFromRequestUrl(url: string): [string, string] | undefined {
  const parts = url.split('?')[0]!.split('/').filter(Boolean);
  const h = parts.indexOf('_history');
  const tail = h >= 0 ? parts.slice(0, h) : parts;
  const id = tail[tail.length - 1];
  const type = tail[tail.length - 2];
  return type && id ? [type, id] : undefined;
}

/** Largest page the reconciliation listing asks for (FHIR servers commonly cap `_count` at 1000). */
const RECONCILE_PAGE = 1000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class SyncClient {
  readonly upstream: string;
  private readonly opts: Required<Pick<SyncClientOptions, 'pageSize' | 'timeoutMs' | 'retries' | 'retryDelayMs' | 'overlapMs' | 'actor'>> & SyncClientOptions;
  private readonly fetchFn: FetchFn;
  private readonly types: readonly TerminologyType[];

  constructor(options: SyncClientOptions) {
    this.upstream = normaliseBase(options.upstream);
    this.opts = { pageSize: 100, timeoutMs: 30_000, retries: 2, retryDelayMs: 1000, overlapMs: 5000, actor: 'sync', ...options };
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.types = options.types ?? TERMINOLOGY_TYPES;
  }

  get cursorKey(): string {
    return `sync.cursor.${this.upstream}`;
  }

  private get syncedKey(): string {
    return `sync.synced.${this.upstream}`;
  }

  async cursor(): Promise<SyncCursor> {
    return (await this.opts.store.kv.get<SyncCursor>(this.cursorKey)) ?? { phase: 'full', typeIndex: 0 };
  }

  /** Forgets the cursor so the next run starts with a full copy (kept: what was synced). */
  async reset(): Promise<void> {
    await this.opts.store.kv.delete(this.cursorKey);
  }

  /** Runs one pass (or the rest of an interrupted one). Never throws for upstream problems: see `report.ok`. */
  async run(): Promise<SyncReport> {
    const cursor = await this.cursor();
    return this.runPass(cursor.phase, (out, counters) =>
      cursor.phase === 'full' ? this.fullPass(cursor, out, counters) : this.incrementalPass(cursor, out, counters),
    );
  }

  /**
   * Full copy from a snapshot of the upstream instead of searching it — a FHIR package's resources
   * (package-seed.ts) as a collection Bundle — then increments continue from `snapshotTime`
   * (the upstream time the snapshot was taken). Validated as a whole before anything is written.
   */
  async seed(snapshot: { bundle: Bundle; snapshotTime: string }): Promise<SyncReport> {
    return this.runPass('package', async (out, counters) => {
      for (const [i, entry] of (snapshot.bundle.entry ?? []).entries()) {
        const problem = entryProblem(entry, i);
        if (problem) throw new UpstreamError(`package: ${problem}`, false);
      }
      await this.applyPage(snapshot.bundle, out, counters);
      return this.completePass({ phase: 'incremental', passStartedAt: snapshot.snapshotTime });
    });
  }

  private async runPass(mode: SyncReport['mode'], pass: (out: Outcome, counters: { pages: number; entriesSeen: number }) => Promise<SyncCursor>): Promise<SyncReport> {
    const startedAt = new Date().toISOString();
    const out: Outcome = { created: [], updated: [], deleted: [], skippedNotStandard: [], conflicts: [], rejected: [], unchanged: 0, skippedStale: 0 };
    const counters = { pages: 0, entriesSeen: 0 };
    let error: string | undefined;
    let cursor: SyncCursor;
    try {
      cursor = await pass(out, counters);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      cursor = await this.cursor();
    }
    const report: SyncReport = {
      upstream: this.upstream,
      mode,
      ok: error === undefined,
      ...(error !== undefined ? { error } : {}),
      startedAt,
      finishedAt: new Date().toISOString(),
      ...counters,
      ...out,
      passComplete: error === undefined,
      cursor,
    };
    await this.audit(report);
    return report;
  }

  private async fullPass(start: SyncCursor, out: Outcome, counters: { pages: number; entriesSeen: number }): Promise<SyncCursor> {
    let cursor = { ...start };
    for (let ti = cursor.typeIndex ?? 0; ti < this.types.length; ti++) {
      let url: string | undefined = cursor.next ?? `${this.upstream}/${this.types[ti]}?_count=${this.opts.pageSize}`;
      while (url) {
        const page = await this.getPage(url, 'searchset');
        const passStartedAt = cursor.passStartedAt ?? page.upstreamTime ?? new Date().toISOString();
        await this.applyPage(page.bundle, out, counters);
        cursor = page.next
          ? { phase: 'full', typeIndex: ti, next: page.next, passStartedAt }
          : { phase: 'full', typeIndex: ti + 1, passStartedAt };
        await this.opts.store.kv.set(this.cursorKey, cursor);
        url = page.next;
      }
    }
    await this.reconcile(out, counters);
    return this.completePass(cursor);
  }

  /**
   * Offset paging can skip a resource when the upstream deletes one on an earlier page while the
   * full copy runs; that resource is unchanged, so no increment would bring it later. One
   * single-page id listing per type (a consistent snapshot) finds anything never received, and
   * each is fetched on its own (`_id` search).
   */
  private async reconcile(out: Outcome, counters: { pages: number; entriesSeen: number }): Promise<void> {
    const synced = (await this.opts.store.kv.get<Record<string, SyncedRecord>>(this.syncedKey)) ?? {};
    for (const type of this.types) {
      const listing = await this.getPage(`${this.upstream}/${type}?_elements=id,url&_count=${RECONCILE_PAGE}`, 'searchset');
      for (const entry of listing.bundle.entry ?? []) {
        const r = entry.resource;
        if (!r?.id || r.resourceType !== type || !isUnderBase(canonicalUrl(r), this.opts.standardBase)) continue;
        const record = synced[`${type}/${r.id}`];
        if (record && !record.deleted) continue;
        const page = await this.getPage(`${this.upstream}/${type}?_id=${encodeURIComponent(r.id)}`, 'searchset');
        await this.applyPage(page.bundle, out, counters);
      }
    }
  }

  private async incrementalPass(start: SyncCursor, out: Outcome, counters: { pages: number; entriesSeen: number }): Promise<SyncCursor> {
    let cursor = { ...start };
    const since = cursor.since ?? new Date(0).toISOString();
    let url: string | undefined = cursor.next ?? `${this.upstream}/_history?_since=${encodeURIComponent(since)}&_count=${this.opts.pageSize}`;
    while (url) {
      const page = await this.getPage(url, 'history');
      const passStartedAt = cursor.passStartedAt ?? page.upstreamTime ?? new Date().toISOString();
      await this.applyPage(page.bundle, out, counters);
      cursor = { phase: 'incremental', since, passStartedAt, ...(page.next ? { next: page.next } : {}), ...(cursor.lastCompletedAt ? { lastCompletedAt: cursor.lastCompletedAt } : {}) };
      await this.opts.store.kv.set(this.cursorKey, cursor);
      url = page.next;
    }
    return this.completePass(cursor);
  }

  private async completePass(cursor: SyncCursor): Promise<SyncCursor> {
    const started = Date.parse(cursor.passStartedAt ?? new Date().toISOString());
    const done: SyncCursor = {
      phase: 'incremental',
      since: new Date(started - this.opts.overlapMs).toISOString(),
      lastCompletedAt: new Date().toISOString(),
    };
    await this.opts.store.kv.set(this.cursorKey, done);
    return done;
  }

  private async getPage(url: string, expectType: Bundle['type']): Promise<Page> {
    for (let attempt = 0; ; attempt++) {
      if (this.opts.signal?.aborted) throw new UpstreamError(`interrupted before GET ${url}`, false);
      try {
        const page = await fetchPage({
          url,
          expectType,
          timeoutMs: this.opts.timeoutMs,
          fetch: this.fetchFn,
          upstreamBase: this.upstream,
          ...(this.opts.signal ? { signal: this.opts.signal } : {}),
        });
        return page;
      } catch (err) {
        const transient = err instanceof UpstreamError && err.transient && !this.opts.signal?.aborted;
        if (!transient || attempt >= this.opts.retries) throw err;
        await sleep(this.opts.retryDelayMs * 2 ** attempt);
      }
    }
  }

  /** Applies one validated page; persists what was synced before the caller advances the cursor. */
  private async applyPage(bundle: Bundle, out: Outcome, counters: { pages: number; entriesSeen: number }): Promise<void> {
    const synced = (await this.opts.store.kv.get<Record<string, SyncedRecord>>(this.syncedKey)) ?? {};
    counters.pages++;
    for (const entry of bundle.entry ?? []) {
      if (entry.search?.mode === 'include' || entry.search?.mode === 'outcome') continue;
      counters.entriesSeen++;
      if (entry.resource) {
        if (!isTerminologyType(entry.resource.resourceType)) continue;
        await this.applyVersion(entry.resource as Resource & { id: string }, versionIdOf(entry), synced, out);
      } else if (entry.request?.method === 'DELETE' && entry.request.url) {
        const key = keyFromRequestUrl(entry.request.url);
        if (key && isTerminologyType(key[0])) await this.applyDelete(key[0], key[1], versionIdOf(entry), synced, out);
      }
    }
    await this.opts.store.kv.set(this.syncedKey, synced);
  }

  private async applyVersion(incoming: Resource & { id: string }, upstreamVersionId: string | undefined, synced: Record<string, SyncedRecord>, out: Outcome): Promise<void> {
    const key = `${incoming.resourceType}/${incoming.id}`;
    const label = `${key}|${resourceVersion(incoming) ?? ''}`;
    const record = synced[key];
    if (record && !isNewer(upstreamVersionId, record.upstreamVersionId)) {
      out.skippedStale++;
      return;
    }
    if (!isUnderBase(canonicalUrl(incoming), this.opts.standardBase) || hasLocalTag(incoming)) {
      if (!out.skippedNotStandard.includes(key)) out.skippedNotStandard.push(key);
      return;
    }
    // One invalid resource must not block every later update: refuse it alone and report it.
    const problem = this.opts.validateResource?.(incoming);
    if (problem) {
      out.rejected.push({ resource: `${label}${upstreamVersionId ? ` (upstream version ${upstreamVersionId})` : ''}`, reason: problem });
      return;
    }
    const local = await this.opts.store.resources.read(incoming.resourceType, incoming.id);
    if (local && !local.deleted) {
      if (hasLocalTag(local.resource) || !isUnderBase(canonicalUrl(local.resource), this.opts.standardBase)) {
        const why = hasLocalTag(local.resource) ? 'tagged local' : 'not under the standard base';
        out.conflicts.push({ resource: key, reason: `local resource (${why}, url ${canonicalUrl(local.resource) ?? '-'}) kept; upstream ${label} not applied` });
        return;
      }
      const localHash = resourceHash(local.resource);
      const incomingHash = resourceHash(incoming);
      if (record && record.hash !== localHash && localHash !== incomingHash) {
        out.conflicts.push({ resource: key, reason: `local edit of a standard resource replaced by upstream ${label} (upstream wins)` });
      }
    }
    const { meta, ...content } = incoming;
    const source = `${this.upstream}/${key}${upstreamVersionId ? `/_history/${upstreamVersionId}` : ''}`;
    const toWrite = { ...content, meta: { ...(meta?.tag ? { tag: meta.tag } : {}), ...(meta?.profile ? { profile: meta.profile } : {}), source } } as Resource & { id: string };
    const result = await this.opts.store.resources.putIfChanged(toWrite, { actor: this.opts.actor });
    const hash = await this.verify(incoming);
    synced[key] = { ...(upstreamVersionId ? { upstreamVersionId } : {}), hash };
    if (result.outcome === 'unchanged') out.unchanged++;
    else {
      (result.outcome === 'created' ? out.created : out.updated).push(label);
      this.opts.onWritten?.(result.version);
    }
  }

  /** Reads back what the store kept and compares content hashes; throws when they differ. */
  private async verify(incoming: Resource & { id: string }): Promise<string> {
    const expected = resourceHash(incoming);
    const stored = await this.opts.store.resources.read(incoming.resourceType, incoming.id);
    if (!stored || stored.deleted) throw new Error(`verification failed: ${incoming.resourceType}/${incoming.id} is not in the store after writing it`);
    const actual = resourceHash(stored.resource);
    if (actual !== expected) throw new Error(`verification failed: ${incoming.resourceType}/${incoming.id} stored content hash ${actual.slice(0, 12)} ≠ upstream ${expected.slice(0, 12)}`);
    return expected;
  }

  private async applyDelete(type: string, id: string, upstreamVersionId: string | undefined, synced: Record<string, SyncedRecord>, out: Outcome): Promise<void> {
    const key = `${type}/${id}`;
    const record = synced[key];
    const tombstone: SyncedRecord = { ...(upstreamVersionId ? { upstreamVersionId } : {}), hash: '', deleted: true };
    if (record && !isNewer(upstreamVersionId, record.upstreamVersionId)) {
      out.skippedStale++;
      return;
    }
    if (!record || record.deleted) {
      // Never synced from upstream (not ours to delete) or already deleted: only remember the
      // tombstone, so that the older versions still in the history window are skipped.
      synced[key] = tombstone;
      return;
    }
    const local = await this.opts.store.resources.read(type, id);
    if (local && !local.deleted) {
      if (hasLocalTag(local.resource) || resourceHash(local.resource) !== record.hash) {
        out.conflicts.push({ resource: key, reason: 'deleted upstream but changed locally since the last sync; local copy kept' });
        synced[key] = tombstone;
        return;
      }
      await this.opts.store.resources.delete(type, id, { actor: this.opts.actor });
      const after = await this.opts.store.resources.read(type, id);
      if (after && !after.deleted) throw new Error(`verification failed: ${key} still present after delete`);
      out.deleted.push(key);
      this.opts.onDeleted?.(type, id);
    }
    synced[key] = tombstone;
  }

  private async audit(report: SyncReport): Promise<void> {
    if (!this.opts.store.audit) return;
    const detail = report.ok
      ? `${report.mode}: ${report.created.length} created, ${report.updated.length} updated, ${report.deleted.length} deleted, ${report.unchanged} unchanged, ${report.conflicts.length} conflicts`
      : `${report.mode} failed: ${report.error}`;
    const rejected = report.rejected.length > 0 ? `; ${report.rejected.length} rejected` : '';
    try {
      await this.opts.store.audit.append({ actor: this.opts.actor, action: 'sync', entity: this.upstream, outcome: report.ok ? 'success' : 'failure', detail: detail + rejected });
    } catch {
      // The audit trail failing must not turn a finished sync into a failed one; the report stands.
    }
  }
}
