/**
 * The lean path (docs/bench.md "Proposed lean path"): a node:http listener in front of Express that
 * answers only the hot terminology GETs — `/fhir/{CodeSystem|ValueSet|ConceptMap}[/{id}]/$op` for
 * the operations in HOT_OPERATIONS, and plain reads `/fhir/{CodeSystem|ValueSet|ConceptMap}/{id}` —
 * through the same dispatcher, the same error rendering and the same headers as the Express path,
 * so answers are byte-identical (test/fhir/lean-path.test.ts). Everything else returns `false` and
 * goes to Express unchanged: other methods and paths, percent-encoded paths, request bodies, and any
 * header not in HANDLED_HEADERS (If-None-Match, Authorization, Prefer, X-TOO-COSTLY-THRESHOLD, …).
 *
 * Operation answers are cached (ResponseCache): they are a pure function of the URL, the
 * Accept-Language header and the registry's content, and the cache is emptied whenever the
 * registry changes (registry-generation.ts). Only 200, 400 and 404 answers are kept (422 may be a
 * timeout, 5xx a passing fault). Not cached: $translate (see UNCACHED_OPERATIONS) and reads, which
 * come from the store that another process may change before our store.watch notices.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Logger } from '../../logger.js';
import { normaliseQuery } from '../http/query.js';
import { errorResponse, FHIR_JSON, type FhirRequest, type FhirResponse } from '../http/response.js';
import type { Dispatcher } from '../router.js';
import type { RegistryGeneration } from './registry-generation.js';
import { ResponseCache, type CachedAnswer } from './response-cache.js';

const HOT_OPERATIONS = new Set(['lookup', 'validate-code', 'expand', 'translate', 'subsumes']);
/** $translate also answers from the exam-name matcher and learned mappings, which change outside
 *  the registry (src/fhir/matching-operations.ts): served lean, never cached. */
const UNCACHED_OPERATIONS = new Set(['translate']);
const OPERATION_PATH = /^\/fhir\/(CodeSystem|ValueSet|ConceptMap)(?:\/([A-Za-z0-9\-.]{1,64}))?\/\$([a-z-]+)$/;
const READ_PATH = /^\/fhir\/(CodeSystem|ValueSet|ConceptMap)\/([A-Za-z0-9\-.]{1,64})$/;

/** Headers that do not change the answer (or, for accept-language, are part of the cache key). */
const HANDLED_HEADERS = new Set([
  'host', 'connection', 'user-agent', 'accept', 'accept-encoding', 'accept-language', 'x-request-id',
  'cache-control', 'pragma', 'sec-fetch-mode',
]);

/** Statuses whose answers depend only on the request and the registry (no timeouts, no 5xx). */
const CACHEABLE_STATUS = new Set([200, 400, 404]);

export interface LeanPathOptions {
  dispatch: Dispatcher;
  generation: RegistryGeneration;
  logger: Logger;
  publicBaseUrl?: string;
  /** Bounds of the response cache (defaults: 10 000 entries, 64 MiB). */
  cacheEntries?: number;
  cacheBytes?: number;
}

export interface LeanPath {
  /** Answers the request and returns true, or returns false without touching it. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  readonly cache: ResponseCache;
}

interface Route {
  path: string;
  query: string;
  segments: string[];
  cacheable: boolean;
}

function route(req: IncomingMessage): Route | undefined {
  if (req.method !== 'GET') return undefined;
  for (const name in req.headers) {
    if (HANDLED_HEADERS.has(name)) continue;
    if (name === 'content-length' && req.headers[name] === '0') continue;
    return undefined;
  }
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  if (query.includes('#')) return undefined;
  const op = OPERATION_PATH.exec(path);
  if (op) {
    if (!HOT_OPERATIONS.has(op[3]!)) return undefined;
    const segments = op[2] ? [op[1]!, op[2], `$${op[3]!}`] : [op[1]!, `$${op[3]!}`];
    return { path, query, segments, cacheable: !UNCACHED_OPERATIONS.has(op[3]!) };
  }
  const read = READ_PATH.exec(path);
  if (read) return { path, query, segments: [read[1]!, read[2]!], cacheable: false };
  return undefined;
}

function lowerCaseHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
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

  const baseUrl = (req: IncomingMessage): string => {
    if (options.publicBaseUrl) return options.publicBaseUrl.replace(/\/+$/, '');
    const tls = (req.socket as { encrypted?: boolean }).encrypted === true;
    return `${tls ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}/fhir`;
  };

  const answer = async (req: IncomingMessage, r: Route): Promise<CachedAnswer> => {
    const fhirRequest: FhirRequest = {
      method: 'GET',
      segments: r.segments,
      query: normaliseQuery(parseQuery(r.query)),
      body: undefined,
      headers: lowerCaseHeaders(req),
      ...(req.socket.remoteAddress ? { clientAddress: req.socket.remoteAddress } : {}),
      baseUrl: baseUrl(req),
    };
    try {
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
      logger.info({ method: req.method, path: r.path, status: res.statusCode, ms: Math.round(ms * 10) / 10, requestId }, 'http');
    });
    const key = r.cacheable ? `${req.url ?? ''}\n${req.headers['accept-language'] ?? ''}` : undefined;
    const startGeneration = generation.current();
    const hit = key === undefined ? undefined : cache.get(key, startGeneration);
    if (hit) return write(res, hit);
    const out = await answer(req, r);
    // Only an answer computed entirely under the current registry may be kept.
    if (key !== undefined && CACHEABLE_STATUS.has(out.status) && generation.current() === startGeneration) cache.set(key, startGeneration, out);
    write(res, out);
  };

  return {
    cache,
    handle(req, res) {
      const r = route(req);
      if (!r) return false;
      req.resume();
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
