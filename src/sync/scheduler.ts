/**
 * Scheduled mode: main.ts calls `startSyncScheduler(deps)` when the config has a `sync` section.
 * Runs are sequential (never two at once); a failed run is logged with its reason and retried at
 * the next interval, resuming from the cursor.
 */
import type { ResourceVersion, Store } from '../store/store.js';
import { SyncClient, type SyncClientOptions, type SyncReport } from './client.js';
import type { SyncConfig } from './config.js';
import type { FetchFn } from './upstream.js';

export interface SyncLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface SyncSchedulerDeps {
  config: SyncConfig;
  store: Pick<Store, 'resources' | 'kv' | 'audit'>;
  logger: SyncLogger;
  /** Re-index after each verified write/delete (registry.add / registry.remove). */
  onWritten?: (version: ResourceVersion) => void;
  onDeleted?: (resourceType: string, id: string) => void;
  fetch?: FetchFn;
  /** Deeper check of each incoming resource (main.ts: the FHIR JSON schema validator); a message rejects the page. */
  validateResource?: SyncClientOptions['validateResource'];
}

export interface SyncScheduler {
  /** Runs one pass now (waits for a run in progress first). */
  runNow(): Promise<SyncReport>;
  /** Stops the timer and interrupts a run in progress between pages. */
  stop(): Promise<void>;
  lastReport(): SyncReport | undefined;
}

export function startSyncScheduler(deps: SyncSchedulerDeps): SyncScheduler {
  const abort = new AbortController();
  const client = new SyncClient({
    upstream: deps.config.upstream,
    store: deps.store,
    standardBase: deps.config.standardBase,
    pageSize: deps.config.pageSize,
    timeoutMs: deps.config.timeoutMs,
    retries: deps.config.retries,
    signal: abort.signal,
    ...(deps.onWritten ? { onWritten: deps.onWritten } : {}),
    ...(deps.onDeleted ? { onDeleted: deps.onDeleted } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.validateResource ? { validateResource: deps.validateResource } : {}),
  });
  // Runs are chained so that two never overlap (timer tick during a long run, or runNow()).
  let queue: Promise<unknown> = Promise.resolve();
  let inFlight = 0;
  let last: SyncReport | undefined;

  const runOnce = (): Promise<SyncReport> => {
    inFlight++;
    const run = queue.then(async () => {
      const report = await client.run();
      last = report;
      const summary = {
        upstream: report.upstream,
        mode: report.mode,
        created: report.created.length,
        updated: report.updated.length,
        deleted: report.deleted.length,
        unchanged: report.unchanged,
        conflicts: report.conflicts.length,
      };
      if (report.ok) deps.logger.info(summary, 'sync completed');
      else deps.logger.warn({ ...summary, error: report.error }, 'sync failed; will resume at the next run');
      return report;
    });
    queue = run.catch(() => undefined).finally(() => inFlight--);
    return run;
  };

  const intervalMs = Math.round(deps.config.intervalMinutes * 60_000);
  // A tick while a run is still going is skipped rather than queued behind it.
  const timer = setInterval(() => {
    if (inFlight === 0) void runOnce().catch(() => undefined);
  }, intervalMs);
  timer.unref();
  if (deps.config.runAtStart) void runOnce().catch(() => undefined);

  return {
    runNow: runOnce,
    lastReport: () => last,
    async stop() {
      clearInterval(timer);
      abort.abort();
      await queue;
    },
  };
}
