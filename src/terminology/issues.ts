/**
 * Issue collection for $validate-code answers: OperationOutcome issues in the shape the HL7
 * tx-ecosystem tests compare (severity, code, tx-issue-type coding, text, expression), plus the
 * joined `message` text. Message wording follows tx.fhir.org's where the tests look at it.
 */
import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';
import { toIssue, type IssueCode, type IssueSeverity } from '../errors.js';

export interface ValidationIssue {
  severity: IssueSeverity;
  code: IssueCode;
  txIssueType: string;
  message: string;
  expression?: string[];
  /** Kept out of the joined `message`. */
  quiet?: boolean;
}

/**
 * tx.fhir.org message ids (operationoutcome-message-id), by issue type and wording. The ids are the
 * keys of its message catalogue; the tx-ecosystem tests compare them when an issue carries one.
 */
const MESSAGE_IDS: Array<[string, RegExp, string]> = [
  ['not-in-vs', /^No valid coding was found/, 'TX_GENERAL_CC_ERROR_MESSAGE'],
  ['not-in-vs', /^The provided code/, 'None_of_the_provided_codes_are_in_the_value_set_one'],
  ['this-code-not-in-vs', /^The provided code/, 'None_of_the_provided_codes_are_in_the_value_set_one'],
  ['invalid-code', /^Unknown code '.*' in the CodeSystem '.*' version/, 'Unknown_Code_in_Version'],
  ['invalid-code', /fragment/, 'UNKNOWN_CODE_IN_FRAGMENT'],
  ['not-found', /^A definition for CodeSystem .* version .* No versions of this code system are known/, 'UNKNOWN_CODESYSTEM_VERSION_NONE'],
  ['not-found', /^A definition for CodeSystem .* version .* could not be found/, 'UNKNOWN_CODESYSTEM_VERSION'],
  ['not-found', /^A definition for CodeSystem .* could not be found/, 'UNKNOWN_CODESYSTEM'],
  ['vs-invalid', /^The code system .* for the versionless include/, 'VALUESET_VALUE_MISMATCH_DEFAULT'],
  ['vs-invalid', /^The code system .* resulting from the version .* in the ValueSet include is different/, 'VALUESET_VALUE_MISMATCH_CHANGED'],
  ['vs-invalid', /^The code system .* in the ValueSet include is different/, 'VALUESET_VALUE_MISMATCH'],
  ['invalid-display', /^Wrong whitespace in Display Name/, 'Display_Name_WS_for__should_be_one_of__instead_of'],
  ['invalid-display', /^Wrong Display Name .* There are no valid display names found/, 'NO_VALID_DISPLAY_FOUND_NONE_FOR_LANG_ERR'],
  ['invalid-display', /^There are no valid display names found/, 'NO_VALID_DISPLAY_FOUND_NONE_FOR_LANG_OK'],
  ['invalid-display', /^Wrong Display Name/, 'Display_Name_for__should_be_one_of__instead_of'],
  ['code-comment', /^The presence of the concept/, 'CONCEPT_DEPRECATED_IN_VALUESET'],
  ['code-comment', /has a status of .* and its use should be reviewed/, 'INACTIVE_CONCEPT_FOUND'],
  ['code-comment', /^The concept .* is deprecated and its use should be reviewed/, 'DEPRECATED_CONCEPT_FOUND'],
  ['code-rule', /^The concept .* is valid but is not active/, 'STATUS_CODE_WARNING_CODE'],
  ['code-rule', /differs from the correct code .* by case/, 'CODE_CASE_DIFFERENCE'],
  ['code-rule', /is abstract, and not allowed/, 'ABSTRACT_CODE_NOT_ALLOWED'],
  ['status-check', /^Reference to draft/, 'MSG_DRAFT'],
  ['status-check', /^Reference to experimental/, 'MSG_EXPERIMENTAL'],
  ['status-check', /^Reference to deprecated/, 'MSG_DEPRECATED'],
  ['status-check', /^Reference to withdrawn/, 'MSG_WITHDRAWN'],
  ['version-error', /^The version .* is not allowed/, 'VALUESET_VERSION_CHECK'],
  ['cannot-infer', /value set expansion has multiple matches/, 'Unable_to_resolve_system__value_set_has_multiple_matches'],
  ['cannot-infer', /^The System URI could not be determined/, 'UNABLE_TO_INFER_CODESYSTEM'],
  ['not-found', /^A definition for the value Set .* could not be found/, 'Unable_to_resolve_value_Set_'],
  ['display-comment', /is no longer considered a correct display/, 'INACTIVE_DISPLAY_FOUND'],
  ['invalid-data', /^Coding has no system/, 'Coding_has_no_system__cannot_validate'],
  ['invalid-data', /must be an absolute reference/, 'Terminology_TX_System_Relative'],
  ['invalid-data', /references a value set, not a code system/, 'Terminology_TX_System_ValueSet2'],
  ['invalid-data', /is a supplement, so can't be used/, 'CODESYSTEM_CS_NO_SUPPLEMENT'],
];

function messageIdFor(txIssueType: string, message: string): string | undefined {
  return MESSAGE_IDS.find(([type, re]) => type === txIssueType && re.test(message))?.[2];
}

const QUIET = new Set(['this-code-not-in-vs', 'status-check', 'process-note', 'display-comment']);

export class IssueList {
  readonly items: ValidationIssue[] = [];

  add(issue: ValidationIssue): void {
    if (this.items.some((i) => i.message === issue.message && i.txIssueType === issue.txIssueType && i.severity === issue.severity)) return;
    this.items.push(issue);
  }

  error(code: IssueCode, txIssueType: string, message: string, expression?: string): void {
    this.add({ severity: 'error', code, txIssueType, message, expression: expression ? [expression] : undefined });
  }

  warning(code: IssueCode, txIssueType: string, message: string, expression?: string): void {
    this.add({ severity: 'warning', code, txIssueType, message, expression: expression ? [expression] : undefined });
  }

  information(code: IssueCode, txIssueType: string, message: string, expression?: string): void {
    this.add({ severity: 'information', code, txIssueType, message, expression: expression ? [expression] : undefined });
  }

  get hasErrors(): boolean {
    return this.items.some((i) => i.severity === 'error' || i.severity === 'fatal');
  }

  /** The `message` output: issue texts joined with '; ' (tx.fhir.org style). */
  message(): string | undefined {
    // Per-coding "not in this value set" notes stay out of the message (the CC-level error says it).
    // Notes about status, process and per-coding membership stay out of the message (tx.fhir.org).
    const texts = this.items.filter((i) => !QUIET.has(i.txIssueType) && !(i.severity === 'information' && i.txIssueType === 'code-rule') && !(i.severity === 'warning' && i.txIssueType === 'invalid-code') && !i.quiet).map((i) => i.message);
    return texts.length > 0 ? texts.join('; ') : undefined;
  }

  toOperationOutcome(): OperationOutcome | undefined {
    if (this.items.length === 0) return undefined;
    // `location` is deprecated in R4 and the tx-ecosystem files disagree on it (required in some,
    // absent in others); a missing string array is optional to the Java comparator, so leave it out.
    const issue: OperationOutcomeIssue[] = this.items.map((i) => {
      const messageId = messageIdFor(i.txIssueType, i.message);
      const { location: _location, ...rest } = toIssue({ severity: i.severity, code: i.code, txIssueType: i.txIssueType, message: i.message, expression: i.expression, ...(messageId ? { messageId } : {}) });
      return rest;
    });
    return { resourceType: 'OperationOutcome', issue };
  }
}
