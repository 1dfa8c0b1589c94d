/**
 * Display validation for $validate-code: the given display must equal the concept's display or
 * one of its designations (in the requested languages when any). A wrong display is an error
 * (a warning with lenient-display-validation); whitespace-only differences are named as such.
 */
import type { CodeSystemProvider, Concept } from '../codesystems/provider.js';
import type { OperationContext } from '../context.js';
import type { IssueList } from '../issues.js';
import { languageMatches } from '../languages.js';

export interface DisplayCheck {
  ctx: OperationContext;
  provider: CodeSystemProvider;
  concept: Concept;
  display: string;
  lenient: boolean;
  issues: IssueList;
  path: string;
  system: string;
}

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** Returns false when the display is wrong (and records the issue). */
export function checkDisplay(check: DisplayCheck): boolean {
  const { ctx, provider, concept, display, issues, path, system } = check;
  const candidates: Array<{ value: string; language?: string }> = [];
  if (concept.display !== undefined) candidates.push({ value: concept.display, language: provider.language });
  for (const d of concept.designations) candidates.push({ value: d.value, language: d.language });
  const inLanguage = ctx.languages.length === 0 ? candidates : candidates.filter((c) => ctx.languages.some((l) => l.tag === '*' || languageMatches(l.tag, c.language ?? provider.language ?? 'en')));
  const exact = (list: typeof candidates): boolean => list.some((c) => (provider.caseSensitive ? c.value === display : c.value.toLowerCase() === display.toLowerCase() || c.value === display));
  if (exact(inLanguage) || exact(candidates.filter((c) => c.value === display))) {
    if (exact(inLanguage)) return true;
  }
  const valid = (inLanguage.length > 0 ? inLanguage : candidates).map((c) => c.value);
  const first = inLanguage[0] ?? candidates[0];
  const langs = ctx.languageText ?? '--';
  const validText = first ? `'${first.value}' (${first.language ?? provider.language ?? 'en'})` : "''";
  const severity = check.lenient ? 'warning' : 'error';
  if (exact(candidates)) {
    // Right display, wrong language: it exists only in another language.
    issues.add({ severity: check.lenient ? 'warning' : 'error', code: 'invalid', txIssueType: 'invalid-display', message: `Wrong Display Name '${display}' for ${system}#${concept.code}. Valid display is ${validText} (for the language(s) '${langs}')`, expression: [path] });
    return check.lenient;
  }
  if (valid.some((v) => squash(v) === squash(display))) {
    issues.add({ severity, code: 'invalid', txIssueType: 'invalid-display', message: `Wrong whitespace in Display Name '${display}' for ${system}#${concept.code}. Valid display is ${validText} (for the language(s) '${langs}')`, expression: [path] });
    return check.lenient;
  }
  const more = valid.length > 1 ? `one of ${valid.length} choices: ${valid.map((v) => `'${v}'`).join(', ')}` : validText;
  issues.add({ severity, code: 'invalid', txIssueType: 'invalid-display', message: `Wrong Display Name '${display}' for ${system}#${concept.code}. Valid display is ${more} (for the language(s) '${langs}')`, expression: [path] });
  return check.lenient;
}
