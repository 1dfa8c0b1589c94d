/**
 * Resolving the code system an include refers to, under the request's version rules
 * (`system-version` = default, `check-system-version`, `force-system-version`; tx-ecosystem
 * `version` suite), and the value sets an include imports (`default-valueset-version`).
 */
import type { CodeSystem, ValueSet } from 'fhir/r4';
import { TerminologyError } from '../../errors.js';
import type { CodeSystemProvider } from '../codesystems/provider.js';
import { versionMatches } from '../versions.js';
import type { OperationContext } from '../context.js';

export interface ResolvedCodeSystem {
  provider?: CodeSystemProvider;
  /** The version asked for, when it could not be found. */
  missingVersion?: string;
  /** Known versions (for "Valid versions: …" messages). */
  knownVersions: string[];
}

/** The version an include should use for `system`, given its own `version` and the rules. */
export function effectiveSystemVersion(ctx: OperationContext, system: string, stated: string | undefined): string | undefined {
  const force = ctx.rulesFor(system, 'force');
  if (force) return force.version;
  if (stated) return stated;
  const def = ctx.rulesFor(system, 'default');
  if (def) return def.version;
  // A versionless include takes the version the check asks for (tx-ecosystem vs-expand-v-n-check):
  // an include that pins a different version still fails the check (assertCheckedVersion).
  // When no version satisfies the check, the latest is used and the check reports it.
  const check = ctx.rulesFor(system, 'check');
  if (check && ctx.resolver.findCodeSystem(system, check.version)) return check.version;
  return undefined;
}

/** Supplements named by the value set (valueset-supplement extension) or the useSupplement parameter. */
export function supplementsFor(ctx: OperationContext, cs: CodeSystem, requested: string[]): CodeSystem[] {
  const out: CodeSystem[] = [];
  for (const s of ctx.resolver.supplementsFor(cs.url ?? '', cs.version)) {
    const key = s.version ? `${s.url}|${s.version}` : s.url;
    if (requested.some((r) => r === s.url || r === key)) out.push(s);
  }
  // Language supplements apply automatically when the request asks for that language.
  for (const s of ctx.resolver.supplementsFor(cs.url ?? '', cs.version)) {
    if (out.includes(s) || !s.language) continue;
    if (ctx.languages.some((l) => s.language!.toLowerCase().startsWith(l.tag.toLowerCase()))) out.push(s);
  }
  return out;
}

export function resolveCodeSystem(ctx: OperationContext, system: string, version: string | undefined, supplementUrls: string[] = []): ResolvedCodeSystem {
  const all = (ctx.resolver.versionsOf('CodeSystem', system) as CodeSystem[]).filter((c) => c.content !== 'supplement');
  const knownVersions = all.map((c) => c.version).filter((v): v is string => v !== undefined);
  const cs = ctx.resolver.findCodeSystem(system, version);
  if (!cs) return { knownVersions, ...(version !== undefined && all.length > 0 ? { missingVersion: version } : {}) };
  return { provider: ctx.resolver.provider(cs, supplementsFor(ctx, cs, supplementUrls)), knownVersions };
}

/** Resolves an imported value set (`compose.include.valueSet`), honouring default-valueset-version. */
export function resolveImportedValueSet(ctx: OperationContext, canonical: string): ValueSet | undefined {
  const bar = canonical.indexOf('|');
  if (bar >= 0) return ctx.resolver.findValueSet(canonical.slice(0, bar), canonical.slice(bar + 1));
  const rule = ctx.valueSetVersionRules.find((r) => r.split('|')[0] === canonical);
  if (rule && rule.includes('|')) return ctx.resolver.findValueSet(canonical, rule.split('|')[1]);
  return ctx.resolver.findValueSet(canonical);
}

/** check-system-version: the version actually used must satisfy the rule (400 for $expand). */
export function assertCheckedVersion(ctx: OperationContext, system: string, used: string | undefined): void {
  const check = ctx.rulesFor(system, 'check');
  if (!check || used === undefined || used === check.version || versionMatches(check.version, used)) return;
  throw new TerminologyError(400, {
    code: 'exception',
    txIssueType: 'version-error',
    message: `The version '${used}' is not allowed for system '${system}': required to be '${check.version}' by a version-check parameter`,
  });
}
