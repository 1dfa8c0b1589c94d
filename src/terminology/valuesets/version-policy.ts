/**
 * How a value set compose treats several versions of one code system (tx-ecosystem `overload`
 * suite, tx.fhir.org behaviour):
 *
 * - A compose that names one system with different versions (`include`/`exclude` `version`,
 *   absent counting as a version of its own) is *versioned*: expansion entries say which version
 *   they come from, the same code from two versions is two entries, and an exclude removes codes
 *   of the version it names only.
 * - `versionsMatch=true` (the `valueset-expansion-parameter` extension on compose) merges the
 *   versions instead: a code is one entry (from the newest version that has it) and an exclude
 *   removes the code whatever the version.
 * - Without a stated `versionsMatch`, a compose whose includes and excludes all pin versions of
 *   one system, none in common, is a "cheap diff" between versions (include 2.0.0, exclude 1.0.0):
 *   it is evaluated as versionsMatch=true, and the expansion says so.
 * - Includes of one system that pin versions are evaluated newest version first.
 */
import type { ValueSet, ValueSetComposeInclude } from 'fhir/r4';
import { compareVersions } from '../versions.js';

const EXPANSION_PARAMETER = 'http://hl7.org/fhir/StructureDefinition/valueset-expansion-parameter';

export interface VersionPolicy {
  /** Entries carry their code-system version, and keys include it. */
  versioned: boolean;
  /** Versions of one system are merged (keys and excludes ignore the version); stated in the expansion when true. */
  versionsMatch: boolean;
}

/** The compose's `valueset-expansion-parameter` value for `name`, if any. */
function composeParameter(vs: ValueSet, name: string): string | boolean | undefined {
  for (const ext of vs.compose?.extension ?? []) {
    if (ext.url !== EXPANSION_PARAMETER) continue;
    const parts = ext.extension ?? [];
    if (parts.find((p) => p.url === 'name')?.valueCode !== name && parts.find((p) => p.url === 'name')?.valueString !== name) continue;
    const value = parts.find((p) => p.url === 'value');
    return value?.valueBoolean ?? value?.valueString ?? value?.valueCode;
  }
  return undefined;
}

function statedBoolean(value: string | boolean | undefined): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** Whether some system appears with different versions among the compose's includes and excludes. */
function namesSeveralVersions(sets: ValueSetComposeInclude[]): boolean {
  const seen = new Map<string, string | undefined>();
  for (const set of sets) {
    if (!set.system) continue;
    if (!seen.has(set.system)) seen.set(set.system, set.version);
    else if (seen.get(set.system) !== set.version) return true;
  }
  return false;
}

/** Includes and excludes all pin versions of one system, and no version is both included and excluded. */
function isVersionDiff(includes: ValueSetComposeInclude[], excludes: ValueSetComposeInclude[]): boolean {
  if (includes.length === 0 || excludes.length === 0) return false;
  const system = includes[0]!.system;
  const pinned = (s: ValueSetComposeInclude): boolean => s.system === system && s.version !== undefined;
  if (!system || !includes.every(pinned) || !excludes.every(pinned)) return false;
  return !includes.some((i) => excludes.some((x) => x.version === i.version));
}

export function versionPolicy(vs: ValueSet): VersionPolicy {
  const includes = vs.compose?.include ?? [];
  const excludes = vs.compose?.exclude ?? [];
  const stated = statedBoolean(composeParameter(vs, 'versionsMatch'));
  return { versioned: namesSeveralVersions([...includes, ...excludes]), versionsMatch: stated ?? isVersionDiff(includes, excludes) };
}

/**
 * The includes in evaluation order, with their original positions: where several includes pin
 * versions of the same system, those positions are refilled newest version first.
 */
export function includesInVersionOrder(includes: ValueSetComposeInclude[]): Array<{ include: ValueSetComposeInclude; index: number }> {
  const out = includes.map((include, index) => ({ include, index }));
  const bySystem = new Map<string, number[]>();
  for (const { include, index } of out) {
    if (!include.system || include.version === undefined) continue;
    bySystem.set(include.system, [...(bySystem.get(include.system) ?? []), index]);
  }
  for (const slots of bySystem.values()) {
    if (slots.length < 2) continue;
    const ordered = slots.map((i) => out[i]!).sort((a, b) => compareVersions(b.include.version!, a.include.version!) || a.index - b.index);
    slots.forEach((slot, k) => (out[slot] = ordered[k]!));
  }
  return out;
}

/** Whether an exclude names a whole code system without a version (it then excludes every version). */
export function excludesWholeSystem(exclude: ValueSetComposeInclude): boolean {
  return !!exclude.system && exclude.version === undefined && !exclude.concept?.length && !exclude.filter?.length && !exclude.valueSet?.length;
}
