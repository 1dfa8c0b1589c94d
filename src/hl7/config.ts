/**
 * The `hl7` section of the config file, plus MLLP_PORT / MLLP_HOST / MLLP_DOWNSTREAM from the
 * environment. src/config.ts keeps the section as unknown JSON; it is parsed here. Invalid values
 * throw ConfigError naming the key (fail fast at start). See docs/hl7.md for a full example.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config.js';
import { isCharset, type Charset } from './charset.js';
import type { LocalCodePlacement } from './rewrite.js';

export type UnmappedPolicy = 'pass' | 'hold' | 'reject';
export type DeliveryMode = 'store-and-forward' | 'synchronous';
export type SenderKey = 'MSH-3^MSH-4' | 'MSH-3' | 'MSH-4';

export interface TlsFiles {
  cert: string;
  key: string;
  ca?: string;
  /** Listener: ask clients for a certificate (mTLS). Client: verify the server (default true). */
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
}

export interface ListenerConfig {
  name: string;
  host: string;
  port: number;
  tls?: TlsFiles;
  /** Route (downstream) messages of this listener go to. */
  route: string;
  /** 'auto' = MSH-18, else UTF-8 when valid, else GB 18030. */
  charset: Charset | 'auto';
  unmappedPolicy: UnmappedPolicy;
  /** MSA-1 used for policy `reject` and unsupported messages in original mode ('AE' or 'AR'). */
  rejectAck: 'AE' | 'AR';
  /** Which MSH fields identify the sender (ConceptMap selection and duplicate detection). */
  senderKey: SenderKey;
  /** Forward message types other than ORM^O01 / OMI^O23 unchanged (true) or answer AR 200 (false). */
  passThroughOtherTypes: boolean;
  maxFrameBytes: number;
  /** Connections idle longer than this are closed (0 = never). */
  idleTimeoutMs: number;
}

export interface RetryConfig {
  initialMs: number;
  maxMs: number;
  /** Failed attempts before a message is dead-lettered (0 = retry until delivered). AR is dead at once. */
  maxAttempts: number;
}

export interface RouteConfig {
  name: string;
  host: string;
  port: number;
  tls?: Partial<TlsFiles>;
  /** Output charset; 'same' = the inbound message's charset. */
  charset: Charset | 'same';
  mode: DeliveryMode;
  ackTimeoutMs: number;
  connectTimeoutMs: number;
  retry: RetryConfig;
  localCodePlacement: LocalCodePlacement;
  zSegmentId: string;
  /** OBR-4.3 written with the standard code. */
  codingSystemId: string;
  /** OBR-4.3 written with a code of the ultrasound, PET or SPECT extension (each its own code system). */
  extensionCodingSystemIds: ExtensionCodingSystemIds;
  /** Synchronous mode: how long the upstream waits for the downstream before an AE. */
  syncTimeoutMs: number;
}

export interface Hl7Config {
  listeners: ListenerConfig[];
  routes: RouteConfig[];
  /** Same MSH-3/MSH-4/MSH-10 within this window is a duplicate (ACKed, not forwarded). */
  duplicateWindowMs: number;
}

/**
 * Default OBR-4.3. HL7 table 0396 reserves `99zzz` for locally defined coding systems and CE.3 is an
 * ID of at most 20 characters in 2.3.1–2.5, so the canonical URL (52 characters) cannot go there;
 * `99RIMAG` names Q/YMYG 001—2023 exam items. Receivers that expect another id configure it.
 */
export const DEFAULT_CODING_SYSTEM_ID = '99RIMAG';

/** OBR-4.3 per extension code system (us-exam-item, pet-exam-item, spect-exam-item). */
export interface ExtensionCodingSystemIds {
  us: string;
  pet: string;
  spect: string;
}
/**
 * Default OBR-4.3 of extension codes: the extension items are separate code systems (their codes could be
 * read as exam-item codes otherwise), so each has its own local id, within the 20 characters of an `ID`.
 */
export const DEFAULT_EXTENSION_CODING_SYSTEM_IDS: ExtensionCodingSystemIds = { us: '99RIMAG-US', pet: '99RIMAG-PET', spect: '99RIMAG-SPECT' };

export function defaultListener(name: string, port: number, route: string): ListenerConfig {
  return {
    name,
    host: '0.0.0.0',
    port,
    route,
    charset: 'auto',
    unmappedPolicy: 'pass',
    rejectAck: 'AE',
    senderKey: 'MSH-3^MSH-4',
    passThroughOtherTypes: true,
    maxFrameBytes: 1024 * 1024,
    idleTimeoutMs: 10 * 60_000,
  };
}

export function defaultRoute(name: string, host: string, port: number): RouteConfig {
  return {
    name,
    host,
    port,
    charset: 'same',
    mode: 'store-and-forward',
    ackTimeoutMs: 30_000,
    connectTimeoutMs: 10_000,
    retry: { initialMs: 500, maxMs: 30_000, maxAttempts: 0 },
    localCodePlacement: 'OBR-4.4',
    zSegmentId: 'ZLC',
    codingSystemId: DEFAULT_CODING_SYSTEM_ID,
    extensionCodingSystemIds: { ...DEFAULT_EXTENSION_CODING_SYSTEM_IDS },
    syncTimeoutMs: 60_000,
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkKeys(key: string, value: Obj, allowed: string[]): void {
  for (const k of Object.keys(value)) if (!allowed.includes(k)) throw new ConfigError(`${key}.${k}`, 'unknown key');
}
function str(key: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(key, `expected a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}
function int(key: string, v: unknown, min: number, max: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw new ConfigError(key, `expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}
function oneOf<T extends string>(key: string, v: unknown, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw new ConfigError(key, `expected one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}
function bool(key: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(key, `expected true or false, got ${JSON.stringify(v)}`);
  return v;
}
function charset<T extends string>(key: string, v: unknown, extra: T): Charset | T {
  if (v === extra) return extra;
  if (typeof v === 'string' && isCharset(v.toLowerCase())) return v.toLowerCase() as Charset;
  throw new ConfigError(key, `expected utf-8, gb18030, gbk, latin1, ascii or ${extra}, got ${JSON.stringify(v)}`);
}
function tls(key: string, v: unknown, needCert: boolean): TlsFiles | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) throw new ConfigError(key, 'expected an object');
  checkKeys(key, v, ['cert', 'key', 'ca', 'requestCert', 'rejectUnauthorized']);
  const out: Partial<TlsFiles> = {};
  for (const f of ['cert', 'key', 'ca'] as const) if (v[f] !== undefined) out[f] = str(`${key}.${f}`, v[f]);
  if (needCert && (!out.cert || !out.key)) throw new ConfigError(key, 'cert and key are required for a TLS listener');
  if (v.requestCert !== undefined) out.requestCert = bool(`${key}.requestCert`, v.requestCert);
  if (v.rejectUnauthorized !== undefined) out.rejectUnauthorized = bool(`${key}.rejectUnauthorized`, v.rejectUnauthorized);
  return out as TlsFiles;
}

function parseListener(key: string, v: unknown): ListenerConfig {
  if (!isObj(v)) throw new ConfigError(key, 'expected an object');
  checkKeys(key, v, ['name', 'host', 'port', 'tls', 'route', 'charset', 'unmappedPolicy', 'rejectAck', 'senderKey', 'passThroughOtherTypes', 'maxFrameBytes', 'idleTimeoutMs']);
  const l = defaultListener(str(`${key}.name`, v.name), int(`${key}.port`, v.port, 0, 65535), str(`${key}.route`, v.route));
  if (v.host !== undefined) l.host = str(`${key}.host`, v.host);
  l.tls = tls(`${key}.tls`, v.tls, true);
  if (v.charset !== undefined) l.charset = charset(`${key}.charset`, v.charset, 'auto');
  if (v.unmappedPolicy !== undefined) l.unmappedPolicy = oneOf(`${key}.unmappedPolicy`, v.unmappedPolicy, ['pass', 'hold', 'reject'] as const);
  if (v.rejectAck !== undefined) l.rejectAck = oneOf(`${key}.rejectAck`, v.rejectAck, ['AE', 'AR'] as const);
  if (v.senderKey !== undefined) l.senderKey = oneOf(`${key}.senderKey`, v.senderKey, ['MSH-3^MSH-4', 'MSH-3', 'MSH-4'] as const);
  if (v.passThroughOtherTypes !== undefined) l.passThroughOtherTypes = bool(`${key}.passThroughOtherTypes`, v.passThroughOtherTypes);
  if (v.maxFrameBytes !== undefined) l.maxFrameBytes = int(`${key}.maxFrameBytes`, v.maxFrameBytes, 1024, 256 * 1024 * 1024);
  if (v.idleTimeoutMs !== undefined) l.idleTimeoutMs = int(`${key}.idleTimeoutMs`, v.idleTimeoutMs, 0, 24 * 3_600_000);
  return l;
}

function parseRoute(key: string, v: unknown): RouteConfig {
  if (!isObj(v)) throw new ConfigError(key, 'expected an object');
  checkKeys(key, v, ['name', 'host', 'port', 'tls', 'charset', 'mode', 'ackTimeoutMs', 'connectTimeoutMs', 'retry', 'localCodePlacement', 'zSegmentId', 'codingSystemId', 'extensionCodingSystemIds', 'syncTimeoutMs']);
  const r = defaultRoute(str(`${key}.name`, v.name), str(`${key}.host`, v.host), int(`${key}.port`, v.port, 1, 65535));
  if (v.tls !== undefined) r.tls = tls(`${key}.tls`, v.tls, false);
  if (v.charset !== undefined) r.charset = charset(`${key}.charset`, v.charset, 'same');
  if (v.mode !== undefined) r.mode = oneOf(`${key}.mode`, v.mode, ['store-and-forward', 'synchronous'] as const);
  if (v.ackTimeoutMs !== undefined) r.ackTimeoutMs = int(`${key}.ackTimeoutMs`, v.ackTimeoutMs, 100, 3_600_000);
  if (v.connectTimeoutMs !== undefined) r.connectTimeoutMs = int(`${key}.connectTimeoutMs`, v.connectTimeoutMs, 100, 3_600_000);
  if (v.syncTimeoutMs !== undefined) r.syncTimeoutMs = int(`${key}.syncTimeoutMs`, v.syncTimeoutMs, 100, 3_600_000);
  if (v.retry !== undefined) {
    if (!isObj(v.retry)) throw new ConfigError(`${key}.retry`, 'expected an object');
    checkKeys(`${key}.retry`, v.retry, ['initialMs', 'maxMs', 'maxAttempts']);
    if (v.retry.initialMs !== undefined) r.retry.initialMs = int(`${key}.retry.initialMs`, v.retry.initialMs, 10, 3_600_000);
    if (v.retry.maxMs !== undefined) r.retry.maxMs = int(`${key}.retry.maxMs`, v.retry.maxMs, 10, 24 * 3_600_000);
    if (v.retry.maxAttempts !== undefined) r.retry.maxAttempts = int(`${key}.retry.maxAttempts`, v.retry.maxAttempts, 0, 1_000_000);
  }
  if (v.localCodePlacement !== undefined) r.localCodePlacement = oneOf(`${key}.localCodePlacement`, v.localCodePlacement, ['OBR-4.4', 'OBR-44', 'Z'] as const);
  if (v.zSegmentId !== undefined) {
    r.zSegmentId = str(`${key}.zSegmentId`, v.zSegmentId);
    if (!/^Z[A-Z0-9]{2}$/.test(r.zSegmentId)) throw new ConfigError(`${key}.zSegmentId`, 'expected Z followed by two letters or digits');
  }
  if (v.codingSystemId !== undefined) r.codingSystemId = str(`${key}.codingSystemId`, v.codingSystemId);
  if (v.extensionCodingSystemIds !== undefined) {
    const ids = v.extensionCodingSystemIds;
    if (!isObj(ids)) throw new ConfigError(`${key}.extensionCodingSystemIds`, 'expected an object');
    checkKeys(`${key}.extensionCodingSystemIds`, ids, ['us', 'pet', 'spect']);
    for (const k of ['us', 'pet', 'spect'] as const) if (ids[k] !== undefined) r.extensionCodingSystemIds[k] = str(`${key}.extensionCodingSystemIds.${k}`, ids[k]);
  }
  return r;
}

function parseHostPort(key: string, value: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(value.trim());
  if (!m) throw new ConfigError(key, `expected host:port, got ${JSON.stringify(value)}`);
  return { host: m[1], port: int(key, m[2], 1, 65535) };
}

/**
 * Parses the `hl7` config section and the MLLP_* environment variables. Returns undefined when no
 * listener is configured (the gateway is off). MLLP_PORT adds (or overrides the port of) a listener
 * named `default` whose route `default` is MLLP_DOWNSTREAM.
 */
export function parseHl7Config(section: unknown, env: Record<string, string | undefined> = process.env): Hl7Config | undefined {
  const config: Hl7Config = { listeners: [], routes: [], duplicateWindowMs: 24 * 3_600_000 };
  if (section !== undefined) {
    if (!isObj(section)) throw new ConfigError('hl7', 'expected an object');
    checkKeys('hl7', section, ['listeners', 'routes', 'duplicateWindowMs']);
    if (section.listeners !== undefined) {
      if (!Array.isArray(section.listeners)) throw new ConfigError('hl7.listeners', 'expected an array');
      config.listeners = section.listeners.map((l, i) => parseListener(`hl7.listeners[${i}]`, l));
    }
    if (section.routes !== undefined) {
      if (!Array.isArray(section.routes)) throw new ConfigError('hl7.routes', 'expected an array');
      config.routes = section.routes.map((r, i) => parseRoute(`hl7.routes[${i}]`, r));
    }
    if (section.duplicateWindowMs !== undefined) config.duplicateWindowMs = int('hl7.duplicateWindowMs', section.duplicateWindowMs, 0, 365 * 86_400_000);
  }
  if (env.MLLP_DOWNSTREAM) {
    const { host, port } = parseHostPort('MLLP_DOWNSTREAM', env.MLLP_DOWNSTREAM);
    const existing = config.routes.find((r) => r.name === 'default');
    if (existing) Object.assign(existing, { host, port });
    else config.routes.push(defaultRoute('default', host, port));
  }
  if (env.MLLP_PORT) {
    const port = int('MLLP_PORT', env.MLLP_PORT, 0, 65535);
    const existing = config.listeners.find((l) => l.name === 'default');
    if (existing) existing.port = port;
    else config.listeners.push(defaultListener('default', port, 'default'));
  }
  if (env.MLLP_HOST) for (const l of config.listeners) if (l.name === 'default') l.host = str('MLLP_HOST', env.MLLP_HOST);
  if (config.listeners.length === 0) return undefined;
  const names = new Set<string>();
  for (const [i, l] of config.listeners.entries()) {
    if (names.has(l.name)) throw new ConfigError(`hl7.listeners[${i}].name`, `duplicate listener name ${l.name}`);
    names.add(l.name);
    if (!config.routes.some((r) => r.name === l.route)) {
      throw new ConfigError(l.name === 'default' ? 'MLLP_DOWNSTREAM' : `hl7.listeners[${i}].route`, `route ${JSON.stringify(l.route)} is not defined`);
    }
  }
  return config;
}

/** Reads TLS files named in the config (at start, so a missing file fails fast). */
export function readTls(key: string, files: Partial<TlsFiles> | undefined): { cert?: Buffer; key?: Buffer; ca?: Buffer } | undefined {
  if (!files) return undefined;
  const read = (f: string | undefined, name: string) => {
    if (!f) return undefined;
    try {
      return readFileSync(f);
    } catch (err) {
      throw new ConfigError(`${key}.${name}`, `cannot read ${f}: ${(err as Error).message}`);
    }
  };
  return { cert: read(files.cert, 'cert'), key: read(files.key, 'key'), ca: read(files.ca, 'ca') };
}
