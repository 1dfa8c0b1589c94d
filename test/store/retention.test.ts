import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createStore } from '../../src/store/index.js';
import { scheduleAuditRetention } from '../../src/store/retention.js';
import { waitFor } from './helpers.js';

test('audit retention prunes records older than the window and keeps the chain verifiable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rimag-retention-'));
  const store = await createStore({ dataDir: dir });
  try {
    await store.audit.append({ actor: 'a', action: 'update', outcome: 'success', time: '2026-01-01T00:00:00Z' });
    await store.audit.append({ actor: 'a', action: 'update', outcome: 'success', time: '2026-05-01T00:00:00Z' });
    await store.audit.append({ actor: 'a', action: 'update', outcome: 'success', time: '2026-07-15T00:00:00Z' });
    const pruned: Array<[number, string]> = [];
    const stop = scheduleAuditRetention({ audit: store.audit, retentionDays: 180, now: () => new Date('2026-12-01T00:00:00Z'), onPrune: (n, cutoff) => pruned.push([n, cutoff]) });
    await waitFor(() => pruned.length === 1, 5000, 'the first prune');
    stop();
    assert.deepEqual(pruned, [[2, '2026-06-04T00:00:00.000Z']]);
    assert.deepEqual((await store.audit.list({ order: 'asc' })).map((r) => r.time), ['2026-07-15T00:00:00.000Z']);
    assert.deepEqual(await store.audit.verify(), { ok: true, checked: 1 });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
