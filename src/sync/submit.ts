/**
 * Validation of institutions' local→standard ConceptMaps before they are accepted.
 *
 * Every target code of every row is checked against the standard through an injected
 * `validateCode` (main.ts passes the terminology engine's CodeSystem $validate-code), so this
 * module stays framework- and engine-free. The result is an OperationOutcome with one issue per
 * bad row (group/element/target index, source code, target code, reason); no error issues means
 * the map may be stored.
 */
import type { ConceptMap, OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';
import { ConflictError, operationOutcome, toIssue } from '../errors.js';
import type { ResourceStore, ResourceVersion } from '../store/store.js';
import { hasLocalTag, isUnderBase, withLocalTag } from './origin.js';

export interface CodeCheck {
  ok: boolean;
  message?: string;
}

export type ValidateCode = (system: string, code: string, version?: string) => Promise<CodeCheck>;

export interface BadRow {
  group: number;
  element: number;
  target?: number;
  sourceCode?: string;
  targetCode?: string;
  reason: string;
}

export interface SubmissionResult {
  ok: boolean;
  /** How many target codes were checked. */
  checked: number;
  badRows: BadRow[];
  outcome: OperationOutcome;
}

/** Equivalences that assert no target concept, so a row may legitimately have no target code. */
const NO_TARGET = new Set(['unmatched', 'disjoint']);

function structural(cm: ConceptMap): BadRow[] {
  const bad: BadRow[] = [];
  if (cm.resourceType !== 'ConceptMap') bad.push({ group: -1, element: -1, reason: `expected a ConceptMap, got ${String(cm.resourceType)}` });
  if (!Array.isArray(cm.group) || cm.group.length === 0) bad.push({ group: -1, element: -1, reason: 'the map has no group' });
  return bad;
}

export async function validateConceptMapSubmission(cm: ConceptMap, validateCode: ValidateCode): Promise<SubmissionResult> {
  const badRows = structural(cm);
  let checked = 0;
  for (const [gi, group] of (cm.group ?? []).entries()) {
    for (const [ei, element] of (group.element ?? []).entries()) {
      const sourceCode = element.code;
      const targets = element.target ?? [];
      if (targets.length === 0) {
        badRows.push({ group: gi, element: ei, ...(sourceCode ? { sourceCode } : {}), reason: 'row has no target' });
        continue;
      }
      for (const [ti, target] of targets.entries()) {
        const at = { group: gi, element: ei, target: ti, ...(sourceCode ? { sourceCode } : {}) };
        if (!target.code) {
          if (!NO_TARGET.has(target.equivalence)) badRows.push({ ...at, reason: `target has no code (equivalence ${target.equivalence})` });
          continue;
        }
        if (!group.target) {
          badRows.push({ ...at, targetCode: target.code, reason: 'group.target (the standard code system) is missing' });
          continue;
        }
        checked++;
        let check: CodeCheck;
        try {
          check = await validateCode(group.target, target.code, group.targetVersion);
        } catch (err) {
          check = { ok: false, message: `could not be validated: ${err instanceof Error ? err.message : String(err)}` };
        }
        if (!check.ok) badRows.push({ ...at, targetCode: target.code, reason: check.message ?? `code is not valid in ${group.target}` });
      }
    }
  }
  return { ok: badRows.length === 0, checked, badRows, outcome: outcomeFor(badRows, checked) };
}

function rowIssue(row: BadRow): OperationOutcomeIssue {
  const path =
    row.group < 0
      ? 'ConceptMap'
      : `ConceptMap.group[${row.group}].element[${row.element}]${row.target !== undefined ? `.target[${row.target}].code` : ''}`;
  const where = row.group < 0 ? '' : `group ${row.group}, element ${row.element}${row.target !== undefined ? `, target ${row.target}` : ''}: `;
  const codes = row.sourceCode !== undefined || row.targetCode !== undefined ? `source '${row.sourceCode ?? ''}' → target '${row.targetCode ?? ''}': ` : '';
  return toIssue({ severity: 'error', code: row.targetCode !== undefined ? 'code-invalid' : 'invalid', message: `${where}${codes}${row.reason}`, expression: [path] });
}

function outcomeFor(badRows: BadRow[], checked: number): OperationOutcome {
  if (badRows.length === 0) {
    return operationOutcome([toIssue({ severity: 'information', code: 'informational', message: `All ${checked} target codes are valid in the standard` })]);
  }
  return operationOutcome(badRows.map(rowIssue));
}

export interface SubmissionServiceOptions {
  validateCode: ValidateCode;
  store: { resources: ResourceStore };
  /** The standard's canonical base: institution maps may not claim a url under it. */
  standardBase?: string;
  /** Structural check first (main.ts: the FHIR R4 JSON schema); a message refuses the map. */
  validateResource?: (resource: ConceptMap) => string | undefined;
  /** Re-index after the write (registry.add). */
  onWritten?: (version: ResourceVersion) => void;
}

export interface SubmissionService {
  validate(cm: ConceptMap): Promise<SubmissionResult>;
  /**
   * Stores an accepted map tagged local (sync never overwrites it, releases never include it).
   * Refuses (409) to replace a resource with the same id that is not itself a local map.
   */
  save(cm: ConceptMap & { id: string }, actor: string): Promise<ConceptMap>;
}

function refused(reason: string): SubmissionResult {
  const badRows: BadRow[] = [{ group: -1, element: -1, reason }];
  return { ok: false, checked: 0, badRows, outcome: outcomeFor(badRows, 0) };
}

export function createSubmissionService(options: SubmissionServiceOptions): SubmissionService {
  return {
    async validate(cm) {
      const schemaProblem = options.validateResource?.(cm);
      if (schemaProblem) return refused(`not a valid FHIR R4 ConceptMap: ${schemaProblem}`);
      if (options.standardBase && isUnderBase(cm.url, options.standardBase)) {
        return refused(`url ${cm.url} is under the standard's canonical base ${options.standardBase}; an institution's map needs a canonical url of its own`);
      }
      return validateConceptMapSubmission(cm, options.validateCode);
    },
    async save(cm, actor) {
      const existing = await options.store.resources.read('ConceptMap', cm.id);
      if (existing && !existing.deleted && !hasLocalTag(existing.resource)) {
        throw new ConflictError(`ConceptMap/${cm.id} exists and is not a submitted local map; submit under another id`, 409);
      }
      const { version } = await options.store.resources.put(withLocalTag(cm), { actor });
      options.onWritten?.(version);
      return version.resource as ConceptMap;
    },
  };
}
