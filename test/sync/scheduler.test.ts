import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { ConfigError } from '../../src/config.js';
import { parseSyncConfig } from '../../src/sync/config.js';
import { startSyncScheduler } from '../../src/sync/scheduler.js';
import { BASE, examItem, ITEMS_V1, modalityCs } from './fixtures.js';
import { fakeUpstream, putAll, tempStore, type FakeUpstream, type TempStore } from './helpers.js';

test('the sync config section: defaults, and errors that name the key', () => {
  assert.equal(parseSyncConfig(undefined), undefined);
  const c = parseSyncConfig({ upstream: 'https://tx.example.org/fhir/', intervalMinutes: 15 });
  assert.deepEqual(c, { upstream: 'https://tx.example.org/fhir', intervalMinutes: 15, runAtStart: true, standardBase: BASE, pageSize: 100, timeoutMs: 30_000, retries: 2 });
  const bad: Array<[unknown, string]> = [
    [{ intervalMinutes: 5 }, 'sync.upstream'],
    [{ upstream: 'ftp://x' }, 'sync.upstream'],
    [{ upstream: 'https://x', intervalMinutes: -1 }, 'sync.intervalMinutes'],
    [{ upstream: 'https://x', pageSize: 0 }, 'sync.pageSize'],
    [{ upstream: 'https://x', runAtStart: 'yes' }, 'sync.runAtStart'],
    [{ upstream: 'https://x', upstrem: 'typo' }, 'sync.upstrem'],
    ['https://x', 'sync'],
  ];
  for (const [raw, key] of bad) {
    assert.throws(() => parseSyncConfig(raw), (err: unknown) => err instanceof ConfigError && err.key === key, JSON.stringify(raw));
  }
});

let up: TempStore;
let down: TempStore;
let server: FakeUpstream;
beforeEach(async () => {
  up = await tempStore();
  down = await tempStore();
  await putAll(up.store, [examItem('V3.8.2', ITEMS_V1), modalityCs()]);
  server = await fakeUpstream(up.store);
});
afterEach(async () => {
  await server.close();
  await up.close();
  await down.close();
});

test('the scheduler runs at start, never two runs at once, re-indexes what it writes, and stops', async () => {
  const written: string[] = [];
  const logs: string[] = [];
  const scheduler = startSyncScheduler({
    config: { upstream: server.base, intervalMinutes: 60, runAtStart: true, standardBase: BASE, pageSize: 1, timeoutMs: 2000, retries: 0 },
    store: down.store,
    logger: { info: (_o, m) => logs.push(`info ${m}`), warn: (_o, m) => logs.push(`warn ${m}`) },
    onWritten: (v) => written.push(`${v.resourceType}/${v.id}`),
  });
  // Queued behind the start-up run: the start-up run did the full copy, this one is incremental.
  const [a, b] = await Promise.all([scheduler.runNow(), scheduler.runNow()]);
  assert.equal(a.mode, 'incremental');
  assert.equal(b.mode, 'incremental');
  assert.deepEqual(written.sort(), ['CodeSystem/exam-item', 'CodeSystem/modality']);
  assert.deepEqual(logs, ['info sync completed', 'info sync completed', 'info sync completed']);
  const runs = await down.store.audit.list({ action: 'sync' });
  assert.equal(runs.length, 3);
  await scheduler.stop();

  server.fault = () => '500';
  const failing = startSyncScheduler({
    config: { upstream: server.base, intervalMinutes: 60, runAtStart: false, standardBase: BASE, pageSize: 1, timeoutMs: 2000, retries: 0 },
    store: down.store,
    logger: { info: (_o, m) => logs.push(`info ${m}`), warn: (_o, m) => logs.push(`warn ${m}`) },
  });
  const report = await failing.runNow();
  assert.equal(report.ok, false);
  assert.equal(logs.at(-1), 'warn sync failed; will resume at the next run');
  assert.equal(failing.lastReport(), report);
  await failing.stop();
});
