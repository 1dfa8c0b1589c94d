/** PollingWatch against a fake feed: ordering, late-visible seqs (gaps), start points, errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceVersion } from '../../src/store/store.js';
import { PollingWatch, type VersionFeed } from '../../src/store/watch.js';
import { waitFor } from './helpers.js';

function version(seq: number): ResourceVersion {
  return { resourceType: 'Basic', id: `r${seq}`, versionId: 1, lastUpdated: '2026-01-01T00:00:00.000Z', seq, deleted: false, contentHash: '', resource: { resourceType: 'Basic', id: `r${seq}` } as never };
}

class FakeFeed implements VersionFeed {
  visible = new Set<number>();
  fail = false;
  queries: number[] = [];
  async headSeq(): Promise<number> {
    if (this.fail) throw new Error('database down');
    return Math.max(0, ...this.visible);
  }
  async versionsAfter(afterSeq: number, limit: number): Promise<ResourceVersion[]> {
    if (this.fail) throw new Error('database down');
    this.queries.push(afterSeq);
    return [...this.visible].filter((s) => s > afterSeq).sort((a, b) => a - b).slice(0, limit).map(version);
  }
}

test('delivers new versions once, oldest first, in pages', async () => {
  const feed = new FakeFeed();
  feed.visible = new Set([1, 2]);
  const seen: number[] = [];
  const watch = new PollingWatch({ feed, intervalMs: 20, pageSize: 2, onChange: (vs) => seen.push(...vs.map((v) => v.seq)) });
  await new Promise((resolve) => setTimeout(resolve, 60));
  for (const s of [3, 4, 5, 6, 7]) feed.visible.add(s);
  await waitFor(() => seen.length >= 5, 5000, 'five versions');
  await new Promise((resolve) => setTimeout(resolve, 100));
  watch.stop();
  assert.deepEqual(seen, [3, 4, 5, 6, 7]);
});

test('a seq that becomes visible after a higher one is still delivered, exactly once', async () => {
  const feed = new FakeFeed();
  const seen: number[] = [];
  const watch = new PollingWatch({ feed, intervalMs: 20, onChange: (vs) => seen.push(...vs.map((v) => v.seq)) });
  await new Promise((resolve) => setTimeout(resolve, 60));
  feed.visible.add(1);
  feed.visible.add(3);
  await waitFor(() => seen.length >= 2, 5000, 'seqs 1 and 3');
  feed.visible.add(2);
  await waitFor(() => seen.length >= 3, 5000, 'the late seq 2');
  await new Promise((resolve) => setTimeout(resolve, 100));
  watch.stop();
  assert.deepEqual(seen, [1, 3, 2]);
});

test('a permanent gap stops being re-read after gapTimeoutMs', async () => {
  const feed = new FakeFeed();
  const watch = new PollingWatch({ feed, intervalMs: 20, gapTimeoutMs: 100, onChange: () => undefined });
  await new Promise((resolve) => setTimeout(resolve, 60));
  feed.visible.add(1);
  feed.visible.add(3); // 2 never appears (a writer died after taking it)
  await waitFor(() => feed.queries.includes(1), 5000, 'a re-read below the gap');
  await new Promise((resolve) => setTimeout(resolve, 300));
  feed.queries = [];
  feed.visible.add(4);
  await waitFor(() => feed.queries.length >= 1, 5000, 'a poll for the new version');
  watch.stop();
  assert.ok(feed.queries.every((q) => q >= 3), `queries after expiry start at the head: ${feed.queries.join(',')}`);
});

test('afterSeq start delivers what is above it; a failing database is reported and retried', async () => {
  const feed = new FakeFeed();
  feed.visible = new Set([1, 2, 3]);
  feed.fail = true;
  const seen: number[] = [];
  const errors: unknown[] = [];
  const watch = new PollingWatch({ feed, intervalMs: 20, afterSeq: 1, onChange: (vs) => seen.push(...vs.map((v) => v.seq)), onError: (e) => errors.push(e) });
  await waitFor(() => errors.length >= 2, 5000, 'errors while the database is down');
  feed.fail = false;
  await waitFor(() => seen.length >= 2, 5000, 'versions above afterSeq');
  watch.stop();
  assert.deepEqual(seen, [2, 3]);
});
