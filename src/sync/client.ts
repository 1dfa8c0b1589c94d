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
import type { Bundle, Resource } from 'fhir/r4';
import type { AuditStore, KeyValueStore, ResourceStore, ResourceVersion } from '../store/store.js';
import { emptyOutcome, PageApplier, type Outcome, type PageCounters } from './apply.js';
import { canonicalUrl, isUnderBase, TERMINOLOGY_TYPES, type TerminologyType } from './origin.js';
import { entryProblem, fetchPage, UpstreamError, type FetchFn, type Page } from './upstream.js';

export type { SyncConflict } from './apply.js';

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

/** What a run did (the Outcome counts and lists, see apply.ts) and where it stopped. */
export interface SyncReport extends Outcome, PageCounters {
  upstream: string;
  /** 'package' when seeded from a FHIR package snapshot (`seed`). */
  mode: 'full' | 'incremental' | 'package';
  ok: boolean;
  error?: string;
  startedAt: string;
  finishedAt: string;
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


function normaliseBase(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Largest page the reconciliation listing asks for (FHIR servers commonly cap `_count` at 1000). */
const RECONCILE_PAGE = 1000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class SyncClient {
  readonly upstream: string;
  private readonly opts: Required<Pick<SyncClientOptions, 'pageSize' | 'timeoutMs' | 'retries' | 'retryDelayMs' | 'overlapMs' | 'actor'>> & SyncClientOptions;
  private readonly fetchFn: FetchFn;
  private readonly types: readonly TerminologyType[];
  private readonly applier: PageApplier;

  constructor(options: SyncClientOptions) {
    this.upstream = normaliseBase(options.upstream);
    this.opts = { pageSize: 100, timeoutMs: 30_000, retries: 2, retryDelayMs: 1000, overlapMs: 5000, actor: 'sync', ...options };
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.types = options.types ?? TERMINOLOGY_TYPES;
    this.applier = new PageApplier({
      upstream: this.upstream,
      store: options.store,
      syncedKey: `sync.synced.${this.upstream}`,
      standardBase: options.standardBase,
      actor: this.opts.actor,
      ...(options.validateResource ? { validateResource: options.validateResource } : {}),
      ...(options.onWritten ? { onWritten: options.onWritten } : {}),
      ...(options.onDeleted ? { onDeleted: options.onDeleted } : {}),
    });
  }

  get cursorKey(): string {
    return `sync.cursor.${this.upstream}`;
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
      await this.applier.applyPage(snapshot.bundle, out, counters);
      return this.completePass({ phase: 'incremental', passStartedAt: snapshot.snapshotTime });
    });
  }

  private async runPass(mode: SyncReport['mode'], pass: (out: Outcome, counters: PageCounters) => Promise<SyncCursor>): Promise<SyncReport> {
    const startedAt = new Date().toISOString();
    const out = emptyOutcome();
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

  private async fullPass(start: SyncCursor, out: Outcome, counters: PageCounters): Promise<SyncCursor> {
    let cursor = { ...start };
    for (let ti = cursor.typeIndex ?? 0; ti < this.types.length; ti++) {
      let url: string | undefined = cursor.next ?? `${this.upstream}/${this.types[ti]}?_count=${this.opts.pageSize}`;
      while (url) {
        const page = await this.getPage(url, 'searchset');
        const passStartedAt = cursor.passStartedAt ?? page.upstreamTime ?? new Date().toISOString();
        await this.applier.applyPage(page.bundle, out, counters);
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
  private async reconcile(out: Outcome, counters: PageCounters): Promise<void> {
    const synced = await this.applier.synced();
    for (const type of this.types) {
      const listing = await this.getPage(`${this.upstream}/${type}?_elements=id,url&_count=${RECONCILE_PAGE}`, 'searchset');
      for (const entry of listing.bundle.entry ?? []) {
        const r = entry.resource;
        if (!r?.id || r.resourceType !== type || !isUnderBase(canonicalUrl(r), this.opts.standardBase)) continue;
        const record = synced[`${type}/${r.id}`];
        if (record && !record.deleted) continue;
        const page = await this.getPage(`${this.upstream}/${type}?_id=${encodeURIComponent(r.id)}`, 'searchset');
        await this.applier.applyPage(page.bundle, out, counters);
      }
    }
  }

  private async incrementalPass(start: SyncCursor, out: Outcome, counters: PageCounters): Promise<SyncCursor> {
    let cursor = { ...start };
    const since = cursor.since ?? new Date(0).toISOString();
    let url: string | undefined = cursor.next ?? `${this.upstream}/_history?_since=${encodeURIComponent(since)}&_count=${this.opts.pageSize}`;
    while (url) {
      const page = await this.getPage(url, 'history');
      const passStartedAt = cursor.passStartedAt ?? page.upstreamTime ?? new Date().toISOString();
      await this.applier.applyPage(page.bundle, out, counters);
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
