/**
 * ConceptMap submission checks against the real engine: the repository's exam-item CodeSystem in
 * a TerminologyRegistry, judged through the OperationTable's CodeSystem/$validate-code handler
 * (the same path main.ts wires).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CodeSystem, ConceptMap, ValueSet } from 'fhir/r4';
import { createOperationTable } from '../../src/fhir/operations/table.js';
import { validateCodeVia } from '../../src/fhir/publish/validate-code.js';
import { examItemProviderFactory } from '../../src/standard/exam-item-provider.js';
import { validateConceptMapSubmission } from '../../src/sync/submit.js';
import { TerminologyRegistry } from '../../src/terminology/registry.js';
import { repoTerminology } from './content.js';
import { EXAM_URL, hospitalMap } from './fixtures.js';

const registry = new TerminologyRegistry();
for (const r of repoTerminology()) registry.add(r as CodeSystem | ValueSet | ConceptMap);
registry.registerProviderFactory(EXAM_URL, examItemProviderFactory({ resolve: (url) => registry.findCodeSystem(url) }));
const validateCode = validateCodeVia(createOperationTable({ registry })['CodeSystem/$validate-code']!);

test('valid standard codes pass, including a device-specific form of a neutral item', async () => {
  const cm = hospitalMap('h1', [
    ['CT-SINUS', '20010701111100'],
    ['CT-KNEE-16', '22072201221100'],
  ]);
  const result = await validateConceptMapSubmission(cm, validateCode);
  assert.equal(result.ok, true, JSON.stringify(result.outcome));
  assert.equal(result.checked, 2);
  assert.equal(result.outcome.issue[0]?.severity, 'information');
});

test('every bad row is listed with group/element index, source and target code, and the engine\'s reason', async () => {
  const cm: ConceptMap = hospitalMap('h2', [
    ['OK', '20010701111100'],
    ['SHORT', '2001'],
    ['NOPE', '99999999999999'],
  ]);
  cm.group!.push({ source: 'urn:local', element: [{ code: 'NO-TARGET-SYSTEM', target: [{ code: '20010701111100', equivalence: 'equivalent' }] }, { code: 'EMPTY' }] });
  cm.group![0]!.element!.push({ code: 'UNMATCHED', target: [{ equivalence: 'unmatched' }] });
  const result = await validateConceptMapSubmission(cm, validateCode);
  assert.equal(result.ok, false);
  assert.deepEqual(
    result.badRows.map((r) => [r.group, r.element, r.target, r.sourceCode, r.targetCode]),
    [
      [0, 1, 0, 'SHORT', '2001'],
      [0, 2, 0, 'NOPE', '99999999999999'],
      [1, 0, 0, 'NO-TARGET-SYSTEM', '20010701111100'],
      [1, 1, undefined, 'EMPTY', undefined],
    ],
  );
  // The reasons come from the engine ($validate-code message), not from this module.
  assert.ok(result.badRows[0]!.reason.length > 0 && !/not valid in/.test(result.badRows[0]!.reason), result.badRows[0]!.reason);
  const issues = result.outcome.issue;
  assert.equal(issues.length, 4);
  assert.deepEqual(issues[1]!.expression, ['ConceptMap.group[0].element[2].target[0].code']);
  assert.equal(issues[1]!.code, 'code-invalid');
  assert.match(issues[2]!.details!.text!, /group\.target .* is missing/);
});

test('a resource that is not a ConceptMap with groups is refused', async () => {
  const result = await validateConceptMapSubmission({ resourceType: 'ConceptMap', status: 'draft' } as ConceptMap, validateCode);
  assert.equal(result.ok, false);
  assert.match(result.outcome.issue[0]!.details!.text!, /no group/);
});
