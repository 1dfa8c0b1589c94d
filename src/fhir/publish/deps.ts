/**
 * What the publishing routers need, injected by src/main.ts (this folder imports no sync/
 * implementation module, only types): the publisher (releases, packages, feed), the submission
 * service (validate every target code, then store the map tagged local), and the
 * authorisation check for protected actions.
 */
import type { AuditStore } from '../../store/store.js';
import type { Publisher } from '../../sync/publishing.js';
import type { SubmissionService } from '../../sync/submit.js';

export interface PublishDeps {
  publisher: Publisher;
  /** Institution map submissions: validation against the standard, then a local-tagged write. */
  submissions: SubmissionService;
  /**
   * Checks the request's credentials for a protected action and returns the actor identity;
   * throws ForbiddenError (401/403) otherwise. `bearerAuthorizer` in auth.ts is the default.
   */
  authorize(request: { authorization?: string; action: string; entity?: string; clientAddress?: string }): Promise<string>;
  /** Where releases and submissions are recorded (who, when, what, outcome). */
  audit?: AuditStore;
  /** Public FHIR base (no trailing slash) when configured; otherwise derived from the request. */
  publicBaseUrl?: string;
}
