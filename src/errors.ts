/**
 * One error vocabulary for the whole server.
 *
 * Engine code throws a `TerminologyError` (or a subclass); the HTTP edge renders it as an
 * OperationOutcome with the error's status, and the HL7 edge renders it as an AE/AR ACK with an
 * ERR segment. Nothing else decides statuses.
 *
 * `$validate-code` on a wrong code is *not* an error: it is an answer (`result=false` with issues).
 */
import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';

/** FHIR R4 IssueType codes used here (http://hl7.org/fhir/issue-type). */
export type IssueCode =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'invariant'
  | 'security'
  | 'login'
  | 'forbidden'
  | 'processing'
  | 'not-supported'
  | 'duplicate'
  | 'not-found'
  | 'conflict'
  | 'too-long'
  | 'code-invalid'
  | 'business-rule'
  | 'too-costly'
  | 'transient'
  | 'exception'
  | 'timeout'
  | 'incomplete'
  | 'informational'
  | 'lock-error'
  | 'deleted';

export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

export const TX_ISSUE_TYPE_SYSTEM = 'http://hl7.org/fhir/tools/CodeSystem/tx-issue-type';
export const MESSAGE_ID_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id';

export interface IssueInit {
  severity?: IssueSeverity;
  code: IssueCode;
  /** Human-readable text, rendered as `details.text`. */
  message: string;
  /** tx-issue-type code (e.g. `not-found`, `invalid-code`, `not-in-vs`), rendered in `details.coding`. */
  txIssueType?: string;
  /** FHIRPath expressions of the offending element(s). */
  expression?: string[];
  /** tx.fhir.org message id, rendered as the operationoutcome-message-id extension. */
  messageId?: string;
  diagnostics?: string;
}

/** Renders one issue in the shape the HL7 terminology ecosystem tests compare. */
export function toIssue(init: IssueInit): OperationOutcomeIssue {
  const issue: OperationOutcomeIssue = {
    severity: init.severity ?? 'error',
    code: init.code,
  };
  if (init.messageId) {
    issue.extension = [{ url: MESSAGE_ID_EXTENSION, valueString: init.messageId }];
  }
  issue.details = { text: init.message };
  if (init.txIssueType) {
    issue.details.coding = [{ system: TX_ISSUE_TYPE_SYSTEM, code: init.txIssueType }];
  }
  if (init.diagnostics) issue.diagnostics = init.diagnostics;
  if (init.expression && init.expression.length > 0) {
    issue.location = [...init.expression];
    issue.expression = [...init.expression];
  }
  return issue;
}

export function operationOutcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

/** Base class: an error that knows its OperationOutcome issue and its HTTP status. */
export class TerminologyError extends Error {
  readonly status: number;
  readonly issues: IssueInit[];

  constructor(status: number, issue: IssueInit | IssueInit[]) {
    const list = Array.isArray(issue) ? issue : [issue];
    super(list[0]?.message ?? 'error');
    this.name = new.target.name;
    this.status = status;
    this.issues = list;
  }

  toOperationOutcome(): OperationOutcome {
    return operationOutcome(this.issues.map(toIssue));
  }
}

/** 400: a parameter or body is malformed or inconsistent. */
export class InvalidRequestError extends TerminologyError {
  constructor(message: string, extra: Partial<IssueInit> = {}) {
    super(400, { code: 'invalid', message, ...extra });
  }
}

/** 404: the resource, code system or value set named in the request does not exist here. */
export class NotFoundError extends TerminologyError {
  constructor(message: string, extra: Partial<IssueInit> = {}) {
    super(404, { code: 'not-found', txIssueType: 'not-found', message, ...extra });
  }
}

/** 422: the request is understood but breaks a rule of the content (e.g. invalid resource). */
export class BusinessRuleError extends TerminologyError {
  constructor(message: string, extra: Partial<IssueInit> = {}) {
    super(422, { code: 'business-rule', message, ...extra });
  }
}

/** 422 by default: the server does not support the requested feature. */
export class NotSupportedError extends TerminologyError {
  constructor(message: string, extra: Partial<IssueInit> = {}, status = 422) {
    super(status, { code: 'not-supported', message, ...extra });
  }
}

/** 422: an expansion or search would exceed the configured limits. */
export class TooCostlyError extends TerminologyError {
  constructor(message: string, extra: Partial<IssueInit> = {}) {
    super(422, { code: 'too-costly', txIssueType: 'too-costly', message, ...extra });
  }
}

/** 401 / 403: authentication and authorisation failures. */
export class ForbiddenError extends TerminologyError {
  constructor(message: string, status: 401 | 403 = 403) {
    super(status, { code: status === 401 ? 'login' : 'forbidden', message });
  }
}

/** 409 / 412: version conflicts (`If-Match`). */
export class ConflictError extends TerminologyError {
  constructor(message: string, status: 409 | 412 = 412) {
    super(status, { code: 'conflict', message });
  }
}

/** 410: the resource existed and was deleted. */
export class GoneError extends TerminologyError {
  constructor(message: string) {
    super(410, { code: 'deleted', message });
  }
}

/** 503: a dependency (database, downstream) is unavailable; the client may retry. */
export class UnavailableError extends TerminologyError {
  constructor(message: string) {
    super(503, { code: 'transient', message });
  }
}

/** Anything unexpected becomes a 500 OperationOutcome without leaking internals. */
export function asTerminologyError(err: unknown): TerminologyError {
  if (err instanceof TerminologyError) return err;
  return new TerminologyError(500, {
    code: 'exception',
    message: 'Internal error',
    diagnostics: err instanceof Error ? err.message : String(err),
  });
}
