/**
 * The `sync` section of the config file (src/config.ts keeps it as unknown JSON and this module
 * owns its shape). Example:
 *   "sync": { "upstream": "https://tx.example.org/fhir", "intervalMinutes": 60 }
 * Invalid values fail fast with a ConfigError naming the key, like the rest of the config.
 */
import { ConfigError } from '../config.js';
import { DEFAULT_CANONICAL_BASE } from '../standard/canonical.js';

export interface SyncConfig {
  /** Upstream FHIR base URL to follow. */
  upstream: string;
  /** Minutes between runs of the scheduled mode. */
  intervalMinutes: number;
  /** Run once right after start (default true). */
  runAtStart: boolean;
  /** Canonical base of the standard's resources (upstream wins under it). */
  standardBase: string;
  pageSize: number;
  timeoutMs: number;
  retries: number;
}

const KNOWN = ['upstream', 'intervalMinutes', 'runAtStart', 'standardBase', 'pageSize', 'timeoutMs', 'retries'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function httpUrl(key: string, raw: unknown): string {
  if (typeof raw !== 'string') throw new ConfigError(key, `expected an http(s) URL, got ${JSON.stringify(raw)}`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(key, `expected an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(key, `expected an http(s) URL, got ${JSON.stringify(raw)}`);
  return raw.replace(/\/+$/, '');
}

function number(key: string, raw: unknown, min: number, max: number, integer = true): number {
  if (typeof raw !== 'number' || Number.isNaN(raw) || raw < min || raw > max || (integer && !Number.isInteger(raw))) {
    throw new ConfigError(key, `expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

/** Parses the section; `undefined` (no section) means the scheduled mode is off. */
export function parseSyncConfig(raw: unknown): SyncConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw new ConfigError('sync', 'expected an object');
  for (const k of Object.keys(raw)) if (!KNOWN.includes(k)) throw new ConfigError(`sync.${k}`, 'unknown key');
  if (raw.upstream === undefined) throw new ConfigError('sync.upstream', 'required when the sync section is present');
  const runAtStart = raw.runAtStart ?? true;
  if (typeof runAtStart !== 'boolean') throw new ConfigError('sync.runAtStart', `expected true or false, got ${JSON.stringify(runAtStart)}`);
  return {
    upstream: httpUrl('sync.upstream', raw.upstream),
    intervalMinutes: raw.intervalMinutes === undefined ? 60 : number('sync.intervalMinutes', raw.intervalMinutes, 0.05, 7 * 24 * 60, false),
    runAtStart,
    standardBase: raw.standardBase === undefined ? DEFAULT_CANONICAL_BASE : httpUrl('sync.standardBase', raw.standardBase),
    pageSize: raw.pageSize === undefined ? 100 : number('sync.pageSize', raw.pageSize, 1, 1000),
    timeoutMs: raw.timeoutMs === undefined ? 30_000 : number('sync.timeoutMs', raw.timeoutMs, 100, 600_000),
    retries: raw.retries === undefined ? 2 : number('sync.retries', raw.retries, 0, 10),
  };
}
