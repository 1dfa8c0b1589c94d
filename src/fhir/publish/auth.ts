/**
 * Default authorisation for the publishing endpoints, matching the REST write rule (issue 2):
 * refused (403) unless ADMIN_TOKEN is configured; then `Authorization: Bearer <token>` is
 * required (401 without it, 403 with a wrong one). Refusals are audited when an audit store is given.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { ForbiddenError } from '../../errors.js';
import type { AuditStore } from '../../store/store.js';
import type { PublishDeps } from './deps.js';

function sameSecret(a: string, b: string): boolean {
  // Compare digests so the comparison time does not depend on the token length.
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

export function bearerAuthorizer(adminToken: string | undefined, audit?: AuditStore): PublishDeps['authorize'] {
  return async ({ authorization, action, entity, clientAddress }) => {
    const deny = async (error: ForbiddenError): Promise<never> => {
      await audit
        ?.append({ actor: 'anonymous', action: 'denied', outcome: 'denied', detail: `${action}: ${error.message}`, ...(entity ? { entity } : {}), ...(clientAddress ? { clientAddress } : {}) })
        .catch(() => undefined);
      throw error;
    };
    if (!adminToken) return deny(new ForbiddenError(`${action} is disabled: the server has no ADMIN_TOKEN configured`, 403));
    const m = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    if (!m) return deny(new ForbiddenError(`${action} requires Authorization: Bearer <token>`, 401));
    if (!sameSecret(m[1]!.trim(), adminToken)) return deny(new ForbiddenError(`${action}: the bearer token is not valid`, 403));
    return 'admin';
  };
}
