/**
 * When a rendered read may be served again: the store's content marker (`ResourceStore.contentMarker`,
 * src/store/store.ts) is read before every read request, O(1). It changes with every committed
 * put/delete of any process or connection, so a read answer kept under one marker value is the
 * current version for as long as the marker keeps that value — no waiting for store.watch, which
 * may learn of another process's write only at its next poll.
 *
 * The marker is turned into a local generation (bumped whenever the marker differs from the last
 * one seen, up or down) so ResponseCache's "newer generation empties the cache" rule applies.
 */
import type { ResourceStore } from '../../store/store.js';

export interface ReadFreshness {
  /** The generation to key read answers on; undefined = cannot tell now (database unavailable). */
  current(): number | undefined;
}

/** undefined when the store offers no sound marker (MongoDB): reads are then never cached. */
export function trackStoreContent(store: Pick<ResourceStore, 'contentMarker'>): ReadFreshness | undefined {
  if (typeof store.contentMarker !== 'function') return undefined;
  const marker = store.contentMarker.bind(store);
  let last: number | undefined;
  let generation = 0;
  return {
    current() {
      let now: number;
      try {
        now = marker();
      } catch {
        return undefined; // the read itself will report the failure (or serve the in-memory copy, uncached)
      }
      if (now !== last) {
        last = now;
        generation++;
      }
      return generation;
    },
  };
}
