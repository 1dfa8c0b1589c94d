/**
 * Per-operation context (FHIRsmith's OperationContext, typed): the resolver the request sees
 * (registry + tx-resources), a deadline, a loop guard for value sets that include each other,
 * the language preferences, version rules, and warnings collected for the response.
 */
import { TooCostlyError, TerminologyError } from '../errors.js';
import type { Resolver } from './registry.js';
import { parseLanguagePreferences, type LanguagePreference } from './languages.js';

export type VersionRuleMode = 'default' | 'check' | 'force';

export interface VersionRule {
  system: string;
  version: string;
  mode: VersionRuleMode;
}

export interface ContextOptions {
  resolver: Resolver;
  /** Milliseconds allowed for the whole operation. */
  timeoutMs?: number;
  /** `displayLanguage` parameter, else the Accept-Language header. */
  displayLanguage?: string;
  acceptLanguage?: string;
  versionRules?: VersionRule[];
  /** `default-valueset-version` rules: canonical url|version. */
  valueSetVersionRules?: string[];
  /** Largest expansion built before too-costly. */
  maxExpansionSize?: number;
}

export class OperationContext {
  readonly resolver: Resolver;
  languages: LanguagePreference[];
  /** The raw language request (for messages), `--` when none. */
  languageText?: string;
  readonly displayLanguageGiven: boolean;
  /** `*;q=0` in the language request: no fallback to a display in another language. */
  get languageHard(): boolean {
    return /(^|,)\s*\*\s*;\s*q\s*=\s*0(\.0*)?\s*(,|$)/.test(this.languageText ?? '');
  }
  readonly versionRules: VersionRule[];
  readonly valueSetVersionRules: string[];
  readonly maxExpansionSize: number;
  readonly warnings: string[] = [];
  private readonly deadline: number;
  private readonly valueSetStack: string[] = [];

  constructor(options: ContextOptions) {
    this.resolver = options.resolver;
    this.deadline = Date.now() + (options.timeoutMs ?? 30_000);
    this.languageText = options.displayLanguage ?? options.acceptLanguage;
    this.displayLanguageGiven = options.displayLanguage !== undefined;
    this.languages = parseLanguagePreferences(this.languageText);
    this.versionRules = options.versionRules ?? [];
    this.valueSetVersionRules = options.valueSetVersionRules ?? [];
    this.maxExpansionSize = options.maxExpansionSize ?? 100_000;
  }

  /** Falls back to a resource's language (ValueSet.language) when the request named none. */
  useDefaultLanguage(tag: string | undefined): boolean {
    if (!tag || this.languages.length > 0) return false;
    this.languageText = tag;
    this.languages = parseLanguagePreferences(tag);
    return true;
  }

  /** Throws too-costly once the deadline has passed (`place` names the step for diagnostics). */
  deadCheck(place: string): void {
    if (Date.now() > this.deadline) {
      throw new TooCostlyError(`The operation took too long to complete (at ${place})`);
    }
  }

  /** Enters a value set for the loop guard; throws on a circular reference. */
  enterValueSet(canonical: string): void {
    if (this.valueSetStack.includes(canonical)) {
      const path = [...this.valueSetStack].join(', ');
      throw new TerminologyError(400, {
        code: 'processing',
        txIssueType: 'vs-invalid',
        message: `Found a circularity pointing to ${canonical} processing ValueSet with pathway [${path}]`,
      });
    }
    this.valueSetStack.push(canonical);
  }

  leaveValueSet(): void {
    this.valueSetStack.pop();
  }

  rulesFor(system: string, mode: VersionRuleMode): VersionRule | undefined {
    return this.versionRules.find((r) => r.system === system && r.mode === mode);
  }
}
