/**
 * Applying one validated page of upstream versions to the local store, with the ownership rules
 * (docs/sync.md "Who wins"), read-back verification, and the per-upstream record of what sync
 * wrote (kv `sync.synced.<upstream>`: upstream versionId and content hash per resource, tombstones
 * for deletes) that makes re-application idempotent and tells sync's own copy from a local edit.
 */
import type { Bundle, BundleEntry, Resource } from 'fhir/r4';
import type { KeyValueStore, ResourceStore, ResourceVersion } from '../store/store.js';
import { resourceHash } from './hash.js';
import { canonicalUrl, hasLocalTag, isTerminologyType, isUnderBase, resourceVersion } from './origin.js';

/** What sync last wrote for one resource, to tell its own copy from a local edit. */
export interface SyncedRecord {
  upstreamVersionId?: string;
  hash: string;
  /** Deleted upstream: kept as a tombstone so that older versions seen again stay skipped. */
  deleted?: boolean;
}

export interface SyncConflict {
  resource: string;
  reason: string;
}

/** What one pass did, accumulated page by page. */
export interface Outcome {
  created: string[];
  updated: string[];
  deleted: string[];
  /** Upstream resources outside the standard's canonical base (not imported). */
  skippedNotStandard: string[];
  conflicts: SyncConflict[];
  /** Upstream versions refused by `validateResource` (not stored; the rest of the page is). */
  rejected: SyncConflict[];
  unchanged: number;
  /** Older or already-synced upstream versions (overlapping pages, newest-first history). */
  skippedStale: number;
}

export interface PageCounters {
  pages: number;
  entriesSeen: number;
}

export function emptyOutcome(): Outcome {
  return { created: [], updated: [], deleted: [], skippedNotStandard: [], conflicts: [], rejected: [], unchanged: 0, skippedStale: 0 };
}

export interface PageApplierOptions {
  upstream: string;
  store: { resources: ResourceStore; kv: KeyValueStore };
  syncedKey: string;
  standardBase: string;
  actor: string;
  validateResource?: (resource: Resource) => string | undefined;
  onWritten?: (version: ResourceVersion) => void;
  onDeleted?: (resourceType: string, id: string) => void;
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

export class PageApplier {
  constructor(private readonly opts: PageApplierOptions) {}

  async synced(): Promise<Record<string, SyncedRecord>> {
    return (await this.opts.store.kv.get<Record<string, SyncedRecord>>(this.opts.syncedKey)) ?? {};
  }

  /** Applies one validated page; persists what was synced before the caller advances the cursor. */
  async applyPage(bundle: Bundle, out: Outcome, counters: PageCounters): Promise<void> {
    const synced = await this.synced();
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
    await this.opts.store.kv.set(this.opts.syncedKey, synced);
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
    const source = `${this.opts.upstream}/${key}${upstreamVersionId ? `/_history/${upstreamVersionId}` : ''}`;
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
}
