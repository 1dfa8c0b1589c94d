/**
 * Audit retention (seed 003 §10.5: keep at least six months; config `audit.retentionDays`,
 * default 180): prunes records older than the retention window once at start and then daily.
 * The chain stays verifiable after each prune (see AuditStore.prune).
 */
import type { AuditStore } from './store.js';

export interface AuditRetentionOptions {
  audit: AuditStore;
  retentionDays: number;
  /** How often to prune (default one day). */
  intervalMs?: number;
  /** Called after each prune with how many records went, or with the error (the next run retries). */
  onPrune?: (removed: number, cutoff: string) => void;
  onError?: (err: unknown) => void;
  now?: () => Date;
}

/** Starts the retention schedule; returns a function that stops it. */
export function scheduleAuditRetention(options: AuditRetentionOptions): () => void {
  const now = options.now ?? (() => new Date());
  const run = async () => {
    const cutoff = new Date(now().getTime() - options.retentionDays * 86_400_000).toISOString();
    try {
      const removed = await options.audit.prune(cutoff);
      options.onPrune?.(removed, cutoff);
    } catch (err) {
      options.onError?.(err);
    }
  };
  void run();
  const timer = setInterval(() => void run(), options.intervalMs ?? 86_400_000);
  timer.unref();
  return () => clearInterval(timer);
}
