/**
 * Regex filters (`op = regex`) guarded against catastrophic backtracking.
 *
 * V8 is told to switch a regex to its linear-time engine after excessive backtracking
 * (`--enable-experimental-regexp-engine-on-excessive-backtracks`), so patterns like `((a+)+)+`
 * evaluate correctly in linear time instead of hanging the process. Patterns the linear engine
 * cannot run (back-references, look-arounds) combined with nested quantifiers are refused with a
 * 400, as are invalid or oversized patterns.
 */
import v8 from 'node:v8';
import { InvalidRequestError } from '../../errors.js';

v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

const MAX_PATTERN_LENGTH = 1000;
/** A quantified group that itself contains a quantifier: `(a+)+`, `(a*)*`, `(x{2,})+`. */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/;
const NEEDS_BACKTRACKING = /\\[1-9]|\\k<|\(\?[=!<]/;

/** Compiles a FHIR regex filter value; the pattern must match the whole value (as Java's matches()). */
export function compileFilterRegex(pattern: string): RegExp {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new InvalidRequestError(`The regex filter is too long (${pattern.length} characters; limit ${MAX_PATTERN_LENGTH})`, { txIssueType: 'vs-invalid' });
  }
  if (NEEDS_BACKTRACKING.test(pattern) && NESTED_QUANTIFIER.test(pattern)) {
    throw new InvalidRequestError(`The regex filter '${pattern}' combines nested quantifiers with back-references or look-arounds and is refused`, { txIssueType: 'vs-invalid' });
  }
  // No 'u' flag: unicode-mode regexes are not eligible for V8's linear-time fallback engine.
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (err) {
    throw new InvalidRequestError(`The regex filter '${pattern}' is not a valid regular expression: ${(err as Error).message}`, { txIssueType: 'vs-invalid' });
  }
}
