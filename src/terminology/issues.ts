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
      const { location: _location, ...rest } = toIssue({ severity: i.severity, code: i.code, txIssueType: i.txIssueType, message: i.message, expression: i.expression });
      return rest;
    });
    return { resourceType: 'OperationOutcome', issue };
  }
}
