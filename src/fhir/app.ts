/**
 * The HTTP application: `createApp(deps)` returns an Express 5 app serving FHIR R4 under `/fhir`.
 *
 * Mounting operations: every entry of `deps.operations` (an OperationTable, see
 * `operation-types.ts` / CONTRACTS.md) is served without registration code —
 * key `'ValueSet/$expand'` answers `GET|POST /fhir/ValueSet/$expand` and
 * `GET|POST /fhir/ValueSet/{id}/$expand` (the handler receives `id`); key `'$versions'` answers
 * `GET|POST /fhir/$versions`. Handlers receive normalised Parameters (GET query args as
 * `valueString`) and return a resource or `{ status, resource }`; they throw `TerminologyError`
 * subclasses for failures, which are rendered here as OperationOutcome with the error's status.
 * Anything else thrown becomes a 500 OperationOutcome; the process keeps running.
 *
 * All responses are `application/fhir+json; charset=utf-8`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import { InvalidRequestError, TerminologyError } from '../errors.js';
import { fhirJsonBody } from './http/body.js';
import { normaliseQuery } from './http/query.js';
import { errorResponse, sendFhir, type FhirRequest } from './http/response.js';
import type { ResourceVersion } from '../store/store.js';
import type { AppDeps } from './deps.js';
import { createDispatcher } from './router.js';
import { createLeanPath, type LeanPath } from './lean/lean-path.js';
import { trackRegistry } from './lean/registry-generation.js';

export type { AppDeps, RegistrySink, TerminologyResource } from './deps.js';

/** Maps errors raised by Express/body-parser (which carry `type` and `status`) into the vocabulary. */
export function fromHttpLayerError(err: unknown): unknown {
  if (err instanceof TerminologyError || typeof err !== 'object' || err === null) return err;
  const e = err as { type?: unknown; status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown; limit?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  switch (e.type) {
    case 'entity.too.large':
      return new TerminologyError(413, { code: 'too-long', message: `Request body exceeds the limit of ${String(e.limit)} bytes` });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new TerminologyError(415, { code: 'not-supported', message: String(e.message) });
    case 'request.aborted':
    case 'request.size.invalid':
      return new InvalidRequestError(String(e.message), { code: 'incomplete' });
  }
  if (status !== undefined && status >= 400 && status < 500 && e.expose !== false) {
    return new TerminologyError(status, { code: 'invalid', message: typeof e.message === 'string' ? e.message : 'Bad request' });
  }
  return err;
}

function decodeSegments(path: string): string[] {
  try {
    return path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    throw new InvalidRequestError(`Malformed URL path '${path}'`);
  }
}

function lowerCaseHeaders(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function publicBaseUrl(deps: AppDeps, req: Request): string {
  const configured = deps.config.http.publicBaseUrl;
  if (configured) return configured.replace(/\/+$/, '');
  return `${req.protocol}://${req.get('host') ?? 'localhost'}/fhir`;
}

export function toFhirRequest(deps: AppDeps, req: Request): FhirRequest {
  return {
    method: req.method,
    segments: decodeSegments(req.path),
    query: normaliseQuery(req.query),
    body: req.body as unknown,
    headers: lowerCaseHeaders(req),
    ...(req.ip ?? req.socket.remoteAddress ? { clientAddress: req.ip ?? req.socket.remoteAddress } : {}),
    baseUrl: publicBaseUrl(deps, req),
  };
}

export interface FhirServer {
  app: Express;
  /** The node:http request listener: the lean path for hot terminology GETs, Express for the rest. */
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  /** The lean path (docs/bench.md), absent when `http.leanPath` is false. */
  lean?: LeanPath;
  /** Compiles the FHIR schema validators now (seconds); call after listening so startup stays fast. */
  warmUp(): void;
  /** Feeds versions written by other processes (store.watch) into the search index. */
  onStoreChange(versions: ResourceVersion[]): Promise<void>;
}

/** The app plus the hooks `src/main.ts` needs. */
export function createFhirServer(deps: AppDeps): FhirServer {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('etag', false);

  const { dispatch, rest } = createDispatcher(deps);
  const lean = deps.config.http.leanPath === false
    ? undefined
    : createLeanPath({
      dispatch,
      generation: trackRegistry(deps.registry),
      logger: deps.logger,
      maxBodyBytes: deps.config.http.maxBodyBytes,
      store: deps.store.resources,
      ...(deps.matcherCanonicals ? { matcherCanonicals: new Set(deps.matcherCanonicals) } : {}),
      ...(deps.config.http.publicBaseUrl ? { publicBaseUrl: deps.config.http.publicBaseUrl } : {}),
    });

  const accessLog: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    const requestId = req.get('x-request-id');
    if (requestId && requestId.length <= 200) res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      deps.logger.info({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10, requestId }, 'http');
    });
    next();
  };

  const fhir: RequestHandler = async (req, res) => {
    const response = await dispatch(toFhirRequest(deps, req));
    sendFhir(res, response, { head: req.method === 'HEAD' });
  };

  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    const { status, outcome, error } = errorResponse(fromHttpLayerError(err));
    if (status >= 500) deps.logger.error({ err, path: req.path, method: req.method }, 'request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    sendFhir(res, { status, resource: outcome, ...(error.status === 401 ? { headers: { 'WWW-Authenticate': 'Bearer' } } : {}) });
  };

  app.use(accessLog);
  app.use('/fhir', ...fhirJsonBody(deps.config.http.maxBodyBytes));
  for (const router of deps.routers ?? []) app.use('/fhir', router);
  app.use('/fhir', fhir);
  app.use((req, _res, next) => next(new TerminologyError(404, { code: 'not-found', message: `No FHIR endpoint at ${req.path}; the FHIR base is /fhir` })));
  app.use(onError);
  return {
    app,
    listener: lean ? (req, res) => { if (!lean.handle(req, res)) app(req, res); } : app,
    ...(lean ? { lean } : {}),
    warmUp: () => {
      rest.validator.warmUp();
      deps.logger.info(rest.validator.timing, 'FHIR schema validators ready');
    },
    onStoreChange: async (versions) => {
      for (const v of versions) await rest.index.record(v);
    },
  };
}

/** The Express app serving `/fhir` (see the module comment for how operations are mounted). */
export function createApp(deps: AppDeps): Express {
  return createFhirServer(deps).app;
}
