/**
 * Change report between two versions of a CodeSystem: added, retired and renamed concepts.
 *
 * - added: codes present now and absent before;
 * - retired: codes absent now, or present but now marked retired/inactive/deprecated
 *   (concept property `status` = retired|deprecated, or `inactive` = true);
 * - renamed: codes whose display changed (the standard renames items by changing the name).
 */
import type { CodeSystem, CodeSystemConcept } from 'fhir/r4';

export interface ConceptChange {
  code: string;
  display?: string;
  previousDisplay?: string;
  /** Why a code counts as retired: 'removed' or 'status'. */
  reason?: 'removed' | 'status';
}

export interface CodeSystemChanges {
  url: string;
  fromVersion?: string;
  toVersion?: string;
  added: ConceptChange[];
  retired: ConceptChange[];
  renamed: ConceptChange[];
}

interface FlatConcept {
  display?: string;
  retired: boolean;
}

function isRetired(concept: CodeSystemConcept): boolean {
  for (const p of concept.property ?? []) {
    if (p.code === 'status' && (p.valueCode === 'retired' || p.valueCode === 'deprecated')) return true;
    if (p.code === 'inactive' && p.valueBoolean === true) return true;
  }
  return false;
}

/** Every concept of the (possibly hierarchical) concept tree, by code. */
export function flattenConcepts(cs: CodeSystem): Map<string, FlatConcept> {
  const out = new Map<string, FlatConcept>();
  const walk = (concepts: CodeSystemConcept[] | undefined): void => {
    for (const c of concepts ?? []) {
      out.set(c.code, { ...(c.display !== undefined ? { display: c.display } : {}), retired: isRetired(c) });
      walk(c.concept);
    }
  };
  walk(cs.concept);
  return out;
}

function withDisplay(code: string, display: string | undefined): ConceptChange {
  return display !== undefined ? { code, display } : { code };
}

export function diffCodeSystems(previous: CodeSystem | undefined, current: CodeSystem): CodeSystemChanges {
  const before = previous ? flattenConcepts(previous) : new Map<string, FlatConcept>();
  const after = flattenConcepts(current);
  const changes: CodeSystemChanges = {
    url: current.url ?? '',
    ...(previous?.version !== undefined ? { fromVersion: previous.version } : {}),
    ...(current.version !== undefined ? { toVersion: current.version } : {}),
    added: [],
    retired: [],
    renamed: [],
  };
  for (const [code, now] of after) {
    const was = before.get(code);
    if (!was) {
      changes.added.push(withDisplay(code, now.display));
      continue;
    }
    if (now.retired && !was.retired) changes.retired.push({ ...withDisplay(code, now.display), reason: 'status' });
    if (now.display !== was.display) {
      changes.renamed.push({ ...withDisplay(code, now.display), ...(was.display !== undefined ? { previousDisplay: was.display } : {}) });
    }
  }
  for (const [code, was] of before) {
    if (!after.has(code)) changes.retired.push({ ...withDisplay(code, was.display), reason: 'removed' });
  }
  const byCode = (a: ConceptChange, b: ConceptChange): number => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
  changes.added.sort(byCode);
  changes.retired.sort(byCode);
  changes.renamed.sort(byCode);
  return changes;
}
