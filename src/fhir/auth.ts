/**
 * Protection of writes and admin reads. Without ADMIN_TOKEN configured, protected actions are
 * refused (403); with it, they need `Authorization: Bearer <token>` (401 otherwise). Every refusal
 * is written to the audit trail (issue 7: who, when, what, outcome, client address).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ForbiddenError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AuditStore } from '../store/store.js';

export interface Caller {
  /** Token identity recorded as the audit actor. */
  actor: string;
  clientAddress?: string;
}

/** The identity of the single admin token: never the token itself. */
export const ADMIN_ACTOR = 'admin';

export interface ProtectedRequest {
  headers: Record<string, string | undefined>;
  clientAddress?: string;
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export class AdminGuard {
  constructor(
    private readonly token: string | undefined,
    private readonly audit: AuditStore,
    private readonly logger: Logger,
  ) {}

  get enabled(): boolean {
    return this.token !== undefined;
  }

  /**
   * Returns the caller when the request carries the admin token; otherwise audits the refusal and
   * throws 403 (no token configured) or 401 (missing/invalid credentials).
   */
  async authorize(req: ProtectedRequest, action: string, entity?: string): Promise<Caller> {
    const clientAddress = req.clientAddress;
    const header = req.headers.authorization;
    const presented = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    let refusal: ForbiddenError | undefined;
    if (this.token === undefined) {
      refusal = new ForbiddenError(`${action} is disabled: this server has no ADMIN_TOKEN configured`, 403);
    } else if (presented === undefined) {
      refusal = new ForbiddenError(`${action} requires an Authorization: Bearer token`, 401);
    } else if (!sameSecret(presented, this.token)) {
      refusal = new ForbiddenError('Invalid bearer token', 401);
    }
    if (!refusal) return { actor: ADMIN_ACTOR, ...(clientAddress ? { clientAddress } : {}) };
    await this.record({
      actor: presented === undefined ? 'anonymous' : 'invalid-token',
      action,
      outcome: 'denied',
      ...(entity ? { entity } : {}),
      ...(clientAddress ? { clientAddress } : {}),
      detail: refusal.message,
    });
    throw refusal;
  }

  /** Appends an audit record; an audit failure is logged, never turned into a client error after the fact. */
  async record(input: Parameters<AuditStore['append']>[0]): Promise<void> {
    try {
      await this.audit.append(input);
    } catch (err) {
      this.logger.error({ err, action: input.action, entity: input.entity }, 'audit append failed');
    }
  }
}
