/**
 * The current version of every stored resource, kept in memory for search (the store answers
 * history and vread). Loaded lazily from `store.listCurrent()`, updated after each write made
 * through this process and from `store.watch` for writes made by other processes.
 */
import type { ResourceStore, ResourceVersion } from '../../store/store.js';

export class CurrentResourceIndex {
  private readonly byType = new Map<string, Map<string, ResourceVersion>>();
  private loading: Promise<void> | undefined;

  constructor(private readonly store: ResourceStore) {}

  private async ensureLoaded(): Promise<void> {
    this.loading ??= this.store.listCurrent().then(
      (versions) => {
        for (const v of versions) this.apply(v);
      },
      (err: unknown) => {
        this.loading = undefined; // retry on the next request rather than caching the failure
        throw err;
      },
    );
    return this.loading;
  }

  /** Records a version written through this process or seen by `store.watch`. */
  async record(version: ResourceVersion): Promise<void> {
    await this.ensureLoaded();
    this.apply(version);
  }

  /** Applies one written version (tombstones remove the resource); ignores versions older than what is held. */
  private apply(version: ResourceVersion): void {
    let map = this.byType.get(version.resourceType);
    if (!map) {
      map = new Map();
      this.byType.set(version.resourceType, map);
    }
    const held = map.get(version.id);
    if (held && held.seq > version.seq) return;
    if (version.deleted) map.delete(version.id);
    else map.set(version.id, version);
  }

  /** The held current version without touching the store (undefined when not held or not loaded). */
  peek(resourceType: string, id: string): ResourceVersion | undefined {
    return this.byType.get(resourceType)?.get(id);
  }

  async list(resourceType: string): Promise<ResourceVersion[]> {
    await this.ensureLoaded();
    return [...(this.byType.get(resourceType)?.values() ?? [])];
  }
}
