/**
 * HTTP admin API of the HL7 gateway (issue 6): stats, message list/detail, replay, release, unmapped
 * codes. Every route requires the admin bearer token through the injected `authorize` (the same
 * shape as the publishing authorizer, so `bearerAuthorizer(ADMIN_TOKEN, store.audit)` fits); replay
 * and release are written to the audit trail. JSON in and out; errors are OperationOutcomes.
 *
 * The gateway is described structurally here (fhir/ must not import hl7/); src/main.ts passes
 * `gateway.admin` (src/hl7/admin.ts).
 *
 *   GET  {base}/stats                         counters + queue depth per route
 *   GET  {base}/messages?route&state&from&to&afterId&limit
 *   GET  {base}/messages/:id[?body=true]      one message (body = decoded inbound/outbound text)
 *   POST {base}/messages/:id/replay           re-queue one delivered/dead message
 *   POST {base}/messages/:id/release          release one held message (rewrite re-run)
 *   POST {base}/replay   {route?, from?, to?, states?}   re-queue a time range
 *   POST {base}/release  {route?}             release every held message (of a route)
 *   GET  {base}/unmapped?sender&route         unmapped local codes, most frequent first
 */
import express, { type Request, type Response, type Router } from 'express';
import { InvalidRequestError, NotFoundError, TerminologyError } from '../../errors.js';
import type { AuditInput } from '../../store/store.js';

type State = 'queued' | 'held' | 'delivered' | 'dead' | 'duplicate';
const STATES: readonly State[] = ['queued', 'held', 'delivered', 'dead', 'duplicate'];

export interface Hl7AdminApi {
  stats(): Promise<unknown>;
  list(query: { route?: string; state?: State; from?: string; to?: string; afterId?: number; limit?: number }): Promise<unknown[]>;
  get(id: number, body?: boolean): Promise<unknown | undefined>;
  replay(selector: { id: number } | { route?: string; from?: string; to?: string; states?: State[] }): Promise<number[]>;
  release(selector: { id: number } | { route?: string }): Promise<Array<{ id: number; stillUnmapped: number }>>;
  unmapped(filter?: { sender?: string; route?: string }): unknown[];
}

export interface Hl7RoutesDeps {
  admin: Hl7AdminApi;
  /** Resolves with the actor's identity or throws a TerminologyError (401/403). */
  authorize(request: { authorization?: string; action: string; entity?: string; clientAddress?: string }): Promise<string>;
  audit?: { append(input: AuditInput): Promise<unknown> };
  /** Mount point inside the app (default '/admin/hl7'). */
  basePath?: string;
}

export function createHl7AdminRouter(deps: Hl7RoutesDeps): Router {
  const router = express.Router();
  const base = deps.basePath ?? '/admin/hl7';
  router.use(base, express.json({ limit: '64kb' }));

  const handle = (action: string, fn: (req: Request, actor: string) => Promise<unknown>, audited = false) => async (req: Request, res: Response) => {
    const clientAddress = req.socket.remoteAddress;
    try {
      const actor = await deps.authorize({ authorization: req.headers.authorization, action, entity: 'hl7', clientAddress });
      const result = await fn(req, actor);
      if (audited) await deps.audit?.append({ actor, action, entity: `hl7:${req.params.id ?? (req.body as { route?: string } | undefined)?.route ?? '*'}`, outcome: 'success', clientAddress, detail: JSON.stringify(result).slice(0, 500) });
      res.status(200).json(result);
    } catch (err) {
      const e = err instanceof TerminologyError ? err : new TerminologyError(500, { code: 'exception', message: (err as Error).message });
      if (audited && e.status !== 401 && e.status !== 403) await deps.audit?.append({ actor: 'admin', action, entity: 'hl7', outcome: 'failure', clientAddress, detail: e.message }).catch(() => undefined);
      res.status(e.status).type('application/fhir+json').send(JSON.stringify(e.toOperationOutcome()));
    }
  };

  router.get(`${base}/stats`, handle('hl7.stats', () => deps.admin.stats()));
  router.get(`${base}/unmapped`, handle('hl7.unmapped', async (req) => deps.admin.unmapped({ sender: str(req.query.sender), route: str(req.query.route) })));
  router.get(
    `${base}/messages`,
    handle('hl7.list', (req) =>
      deps.admin.list({ route: str(req.query.route), state: state(req.query.state), from: instant('from', req.query.from), to: instant('to', req.query.to), afterId: int('afterId', req.query.afterId), limit: int('limit', req.query.limit) }),
    ),
  );
  router.get(
    `${base}/messages/:id`,
    handle('hl7.read', async (req) => {
      const found = await deps.admin.get(id(req), req.query.body === 'true');
      if (!found) throw new NotFoundError(`no HL7 message ${req.params.id}`);
      return found;
    }),
  );
  router.post(`${base}/messages/:id/replay`, handle('hl7.replay', async (req) => ({ replayed: await deps.admin.replay({ id: id(req) }) }), true));
  router.post(`${base}/messages/:id/release`, handle('hl7.release', async (req) => ({ released: await deps.admin.release({ id: id(req) }) }), true));
  router.post(
    `${base}/replay`,
    handle(
      'hl7.replay',
      async (req) => {
        const b = body(req);
        if (!b.route && !b.from && !b.to) throw new InvalidRequestError('replay of a range needs at least one of route, from, to');
        const states = b.states === undefined ? undefined : Array.isArray(b.states) ? b.states.map((s) => state(s) as State) : undefined;
        return { replayed: await deps.admin.replay({ route: str(b.route), from: instant('from', b.from), to: instant('to', b.to), states }) };
      },
      true,
    ),
  );
  router.post(`${base}/release`, handle('hl7.release', async (req) => ({ released: await deps.admin.release({ route: str(body(req).route) }) }), true));
  return router;
}

function body(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  return typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
function id(req: Request): number {
  const n = Number(req.params.id);
  if (!Number.isInteger(n) || n < 1) throw new InvalidRequestError(`bad message id ${JSON.stringify(req.params.id)}`);
  return n;
}
function int(name: string, v: unknown): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidRequestError(`${name} must be a non-negative integer`);
  return n;
}
function state(v: unknown): State | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !(STATES as readonly string[]).includes(v)) throw new InvalidRequestError(`state must be one of ${STATES.join(', ')}`);
  return v as State;
}
function instant(name: string, v: unknown): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw new InvalidRequestError(`${name} must be an ISO 8601 date-time`);
  return new Date(v).toISOString();
}
