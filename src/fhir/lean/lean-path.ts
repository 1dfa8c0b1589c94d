/**
 * The lean path (docs/bench.md "Proposed lean path"): a node:http listener in front of Express that
 * answers only the hot terminology GETs — `/fhir/{CodeSystem|ValueSet|ConceptMap}[/{id}]/$op` for
 * the operations in HOT_OPERATIONS, and plain reads `/fhir/{CodeSystem|ValueSet|ConceptMap}/{id}` —
 * through the same dispatcher, the same error rendering and the same headers as the Express path,
 * so answers are byte-identical (test/fhir/lean-path.test.ts). It also answers POSTs of those
 * operations with a Parameters body (the free-text `ConceptMap/$translate` cannot be a GET): the
 * body is read here and checked by the same functions as Express's fhirJsonBody (content type,
 * JSON object) in the same order, so every error has the same status and bytes. A POST comes here
 * only with a Content-Length within `maxBodyBytes` (a larger one gets Express's 413 before any byte
 * is read; chunked or encoded bodies and `Expect` go to Express too).
 * Everything else returns `false` and goes to Express unchanged: other methods and paths,
 * percent-encoded paths, GET bodies, and any header not in HANDLED_HEADERS (If-None-Match,
 * Authorization, Prefer, X-TOO-COSTLY-THRESHOLD, Transfer-Encoding, Content-Encoding, …).
 *
 * Operation answers are cached (ResponseCache): they are a pure function of the URL, the
 * Accept-Language header and the registry's content, and the cache is emptied whenever the
 * registry changes (registry-generation.ts). Only 200, 400 and 404 answers are kept (422 may be a
 * timeout, 5xx a passing fault). `$translate` is cached only when it names one ConceptMap and not
 * the matcher (translate-rule.ts); POSTs never are.
 * Reads (200 only) have their own cache, keyed on the store's content marker read before every
 * read request (read-freshness.ts): any committed write, by this or another process, changes it,
 * so a kept read is never older than the store. Stores without a marker (MongoDB) get no read cache.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Logger } from '../../logger.js';
import { assertJsonContentType, parseJsonObject } from '../http/body.js';
import { normaliseQuery } from '../http/query.js';
import { errorResponse, FHIR_JSON, type FhirRequest, type FhirResponse } from '../http/response.js';
import type { Dispatcher } from '../router.js';
import type { RegistryGeneration } from './registry-generation.js';
import { ResponseCache, type CachedAnswer } from './response-cache.js';
import type { ResourceStore } from '../../store/store.js';
import { etag } from '../rest/history.js';
import { trackStoreContent, type ReadFreshness } from './read-freshness.js';
import { isCacheableTranslate } from './translate-rule.js';

const HOT_OPERATIONS = new Set(['lookup', 'validate-code', 'expand', 'translate', 'subsumes']);
/** $translate also answers from the exam-name matcher and learned mappings, which change outside
 *  the registry (src/fhir/matching-operations.ts): cached only by translate-rule.ts's rule. */
const RULED_OPERATIONS = new Set(['translate']);
const OPERATION_PATH = /^\/fhir\/(CodeSystem|ValueSet|ConceptMap)(?:\/([A-Za-z0-9\-.]{1,64}))?\/\$([a-z-]+)$/;
const READ_PATH = /^\/fhir\/(CodeSystem|ValueSet|ConceptMap)\/([A-Za-z0-9\-.]{1,64})$/;

/** Headers that do not change the answer (or, for accept-language, are part of the cache key). */
const HANDLED_HEADERS = new Set([
  'host', 'connection', 'user-agent', 'accept', 'accept-encoding', 'accept-language', 'x-request-id',
  'cache-control', 'pragma', 'sec-fetch-mode',
]);

/** A POST body's own headers; with them the POST carries a body of known length, read here. */
const BODY_HEADERS = new Set(['content-type', 'content-length']);

/** Statuses whose answers depend only on the request and the registry (no timeouts, no 5xx). */
const CACHEABLE_STATUS = new Set([200, 400, 404]);

export interface LeanPathOptions {
  dispatch: Dispatcher;
  generation: RegistryGeneration;
  logger: Logger;
  publicBaseUrl?: string;
  /** Express's body limit (`http.maxBodyBytes`): larger POSTs are left to Express's 413. */
  maxBodyBytes: number;
  /** Bounds of the response cache (defaults: 10 000 entries, 64 MiB). */
  cacheEntries?: number;
  cacheBytes?: number;
  /** The store reads come from: with a content marker, rendered reads are cached (read-freshness.ts). */
  store?: Pick<ResourceStore, 'read' | 'contentMarker'>;
  /** Canonicals that make $translate answer from the matcher; unknown = $translate is not cached. */
  matcherCanonicals?: ReadonlySet<string>;
  /** Bounds of the read cache (defaults: 2 000 entries, 16 MiB). */
  readCacheEntries?: number;
  readCacheBytes?: number;
}

export interface LeanPath {
  /** Answers the request and returns true, or returns false without touching it. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  readonly cache: ResponseCache;
  /** Rendered current versions; absent when the store has no content marker. */
  readonly readCache?: ResponseCache;
}

interface Route {
  path: string;
  query: string;
  segments: string[];
  cacheable: boolean;
  /** POST: the body is read and parsed as Express's fhirJsonBody would. */
  hasBody: boolean;
  /** A plain read of `{type}/{id}`. */
  read?: { type: string; id: string };
  /**
   * For operations with a rule of their own ($translate): whether the answer may be kept, asked
   * only before storing it. A hit needs no rule: only answers that passed it were ever stored.
   */
  keep?: () => boolean;
}

/** GET without a body, or POST with a Content-Length of at most `maxBodyBytes` (no chunking). */
function acceptsHeaders(req: IncomingMessage, post: boolean, maxBodyBytes: number): boolean {
  for (const name in req.headers) {
    if (HANDLED_HEADERS.has(name)) continue;
    if (post && BODY_HEADERS.has(name)) continue;
    if (!post && name === 'content-length' && req.headers[name] === '0') continue;
    return false;
  }
  if (!post) return true;
  const length = req.headers['content-length'];
  return length !== undefined && /^\d{1,12}$/.test(length) && Number(length) <= maxBodyBytes;
}

/** The rule of an operation that has one ($translate), for Route.keep. */
function operationRule(name: string, instance: boolean, query: string, matcherCanonicals: ReadonlySet<string> | undefined): (() => boolean) | undefined {
  if (!RULED_OPERATIONS.has(name)) return undefined;
  return () => isCacheableTranslate({ instance, query: normaliseQuery(parseQuery(query)) }, matcherCanonicals);
}

function route(req: IncomingMessage, maxBodyBytes: number, matcherCanonicals?: ReadonlySet<string>): Route | undefined {
  const post = req.method === 'POST';
  if (req.method !== 'GET' && !post) return undefined;
  if (!acceptsHeaders(req, post, maxBodyBytes)) return undefined;
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  if (query.includes('#')) return undefined;
  const op = OPERATION_PATH.exec(path);
  if (op) {
    if (!HOT_OPERATIONS.has(op[3]!)) return undefined;
    const segments = op[2] ? [op[1]!, op[2], `$${op[3]!}`] : [op[1]!, `$${op[3]!}`];
    const keep = operationRule(op[3]!, op[2] !== undefined, query, matcherCanonicals);
    return { path, query, segments, cacheable: !post, hasBody: post, ...(keep ? { keep } : {}) };
  }
  if (post) return undefined;
  const read = READ_PATH.exec(path);
  if (read) return { path, query, segments: [read[1]!, read[2]!], cacheable: false, hasBody: false, read: { type: read[1]!, id: read[2]! } };
  return undefined;
}

function lowerCaseHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** The whole body as body-parser's raw() reads it; undefined when the client went away first. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(undefined));
    req.on('close', () => { if (!req.complete) resolve(undefined); });
  });
}

/** Express's fhirJsonBody after raw(): an empty body is no body; otherwise FHIR JSON or an error. */
function parseBody(req: IncomingMessage, buffer: Buffer): unknown {
  if (buffer.length === 0) return undefined;
  assertJsonContentType(req.headers['content-type']);
  return parseJsonObject(buffer);
}

/** The same bytes and headers, in the same order, as `sendFhir` after the access-log middleware. */
function render(response: FhirResponse): CachedAnswer {
  const body = response.resource === undefined ? undefined : Buffer.from(JSON.stringify(response.resource));
  return { status: response.status, headers: response.headers ?? {}, ...(body ? { body } : {}) };
}

function write(res: ServerResponse, answer: CachedAnswer): void {
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  if (!answer.body) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', FHIR_JSON);
  res.setHeader('Content-Length', answer.body.length);
  res.end(answer.body);
}

export function createLeanPath(options: LeanPathOptions): LeanPath {
  const cache = new ResponseCache({ maxEntries: options.cacheEntries ?? 10_000, maxBytes: options.cacheBytes ?? 64 * 1024 * 1024 });
  const { dispatch, generation, logger } = options;
  const freshness: ReadFreshness | undefined = options.store && trackStoreContent(options.store);
  const readCache = freshness && new ResponseCache({ maxEntries: options.readCacheEntries ?? 2_000, maxBytes: options.readCacheBytes ?? 16 * 1024 * 1024 });

  const baseUrl = (req: IncomingMessage): string => {
    if (options.publicBaseUrl) return options.publicBaseUrl.replace(/\/+$/, '');
    const tls = (req.socket as { encrypted?: boolean }).encrypted === true;
    return `${tls ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}/fhir`;
  };

  const answer = async (req: IncomingMessage, r: Route, buffer: Buffer | undefined): Promise<CachedAnswer> => {
    try {
      // Inside the try: body errors (415, malformed JSON) render as Express's onError renders them.
      const body = buffer === undefined ? undefined : parseBody(req, buffer);
      const fhirRequest: FhirRequest = {
        method: r.hasBody ? 'POST' : 'GET',
        segments: r.segments,
        query: normaliseQuery(parseQuery(r.query)),
        body,
        headers: lowerCaseHeaders(req),
        ...(req.socket.remoteAddress ? { clientAddress: req.socket.remoteAddress } : {}),
        baseUrl: baseUrl(req),
      };
      return render(await dispatch(fhirRequest));
    } catch (err) {
      // The Express path's onError: same OperationOutcome, status and (for 401) challenge.
      const { status, outcome, error } = errorResponse(err);
      if (status >= 500) logger.error({ err, path: r.path, method: req.method }, 'request failed');
      return render({ status, resource: outcome, ...(error.status === 401 ? { headers: { 'WWW-Authenticate': 'Bearer' } } : {}) });
    }
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, r: Route): Promise<void> => {
    const started = process.hrtime.bigint();
    const requestId = req.headers['x-request-id'] as string | undefined;
    if (requestId && requestId.length <= 200) res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info({ method: req.method, path: r.path, status: res.statusCode, ms: Math.round(ms * 10) / 10, requestId, lean: true }, 'http');
    });
    if (r.read && readCache && freshness) return serveRead(req, res, r, r.read, readCache, freshness);
    const key = r.cacheable ? `${req.url ?? ''}\n${req.headers['accept-language'] ?? ''}` : undefined;
    const startGeneration = generation.current();
    const hit = key === undefined ? undefined : cache.get(key, startGeneration);
    if (hit) return write(res, hit);
    let buffer: Buffer | undefined;
    if (r.hasBody) {
      buffer = await readBody(req);
      if (buffer === undefined) {
        res.destroy(); // the client went away mid-body: nobody to answer
        return;
      }
    }
    const out = await answer(req, r, buffer);
    // Only an answer computed entirely under the current registry may be kept.
    if (key !== undefined && CACHEABLE_STATUS.has(out.status) && generation.current() === startGeneration && (r.keep?.() ?? true)) cache.set(key, startGeneration, out);
    write(res, out);
  };

  /**
   * A read through the read cache. The marker is read before anything else, so an answer kept
   * under it reflects at least the content the marker stands for. Kept only when a fresh store
   * read confirms the answer is the current version (a read served from the in-memory index while
   * the database was unavailable may be older than the store).
   */
  const serveRead = async (req: IncomingMessage, res: ServerResponse, r: Route, read: { type: string; id: string }, readCache: ResponseCache, freshness: ReadFreshness): Promise<void> => {
    const startGeneration = freshness.current();
    const key = `${req.url ?? ''}\n${req.headers['accept-language'] ?? ''}`;
    const hit = startGeneration === undefined ? undefined : readCache.get(key, startGeneration);
    if (hit) return write(res, hit);
    const out = await answer(req, r, undefined);
    if (startGeneration !== undefined && out.status === 200 && (await isCurrentVersion(read, out))) readCache.set(key, startGeneration, out);
    write(res, out);
  };

  const isCurrentVersion = async (read: { type: string; id: string }, out: CachedAnswer): Promise<boolean> => {
    try {
      const v = await options.store!.read(read.type, read.id);
      return v !== undefined && !v.deleted && out.headers.ETag === etag(v);
    } catch {
      return false;
    }
  };

  return {
    cache,
    ...(readCache ? { readCache } : {}),
    handle(req, res) {
      const r = route(req, options.maxBodyBytes, options.matcherCanonicals);
      if (!r) return false;
      if (!r.hasBody) req.resume();
      serve(req, res, r).catch((err: unknown) => {
        logger.error({ err, path: r.path }, 'lean path failed');
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end();
        } else res.end();
      });
      return true;
    },
  };
}
