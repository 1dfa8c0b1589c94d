/**
 * The per-request shortcuts (supplement index, cached include evaluations, text filter before
 * nesting) must answer exactly like a full evaluation and follow every registry change.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CodeSystem, ValueSet } from 'fhir/r4';
import { OperationContext } from '../../src/terminology/context.js';
import { expandValueSet } from '../../src/terminology/operations/expand.js';
import { validateCode } from '../../src/terminology/operations/validate-code.js';
import { TerminologyRegistry } from '../../src/terminology/registry.js';
import { allExamsValueSet, ctValueSet, EXAM_SYSTEM, examCodeSystem } from './fixtures.js';

function supplement(id: string, supplements: string): CodeSystem {
  return { resourceType: 'CodeSystem', id, url: `http://example.org/fhir/CodeSystem/${id}`, status: 'active', content: 'supplement', supplements, concept: [] };
}

const ids = (list: CodeSystem[]): string[] => list.map((c) => c.id!);
const codes = (vs: ValueSet): string[] => (vs.expansion?.contains ?? []).map((c) => c.code!);

test('supplementsFor follows adds, re-adds and removals, in registry order, versions honoured', () => {
  const registry = new TerminologyRegistry();
  registry.add(examCodeSystem());
  assert.deepEqual(registry.supplementsFor(EXAM_SYSTEM), []);
  registry.add(supplement('s1', EXAM_SYSTEM));
  registry.add(supplement('s2', `${EXAM_SYSTEM}|1.0.0`));
  registry.add(supplement('s3', `${EXAM_SYSTEM}|2.0.0`));
  registry.add(supplement('other', 'http://example.org/fhir/CodeSystem/other'));
  assert.deepEqual(ids(registry.supplementsFor(EXAM_SYSTEM, '1.0.0')), ['s1', 's2']);
  assert.deepEqual(ids(registry.supplementsFor(EXAM_SYSTEM)), ['s1', 's2', 's3']);
  registry.add(supplement('s1', EXAM_SYSTEM)); // a new version of s1 moves it to the end, as in all()
  assert.deepEqual(ids(registry.supplementsFor(EXAM_SYSTEM)), ['s2', 's3', 's1']);
  registry.add({ ...supplement('s2', ''), content: 'complete', supplements: undefined }); // s2 is no longer a supplement
  registry.remove('CodeSystem', 's3');
  assert.deepEqual(ids(registry.supplementsFor(EXAM_SYSTEM)), ['s1']);
  // A request overlay adds its own supplements after the stored ones.
  const overlay = registry.overlay([supplement('local', EXAM_SYSTEM)]);
  assert.deepEqual(ids(overlay.supplementsFor(EXAM_SYSTEM)), ['s1', 'local']);
  assert.equal(overlay.generation, registry.generation);
});

test('the registry generation changes on every change', () => {
  const registry = new TerminologyRegistry();
  const g0 = registry.generation;
  registry.add(examCodeSystem());
  const g1 = registry.generation;
  registry.remove('CodeSystem', 'exam');
  assert.ok(g0 < g1 && g1 < registry.generation);
});

test('expansions reflect a changed code system at once; repeated expansions are equal and independent', () => {
  const registry = new TerminologyRegistry();
  registry.add(examCodeSystem());
  registry.add(allExamsValueSet());
  const vs = registry.findValueSet('http://example.org/fhir/ValueSet/exam-all')!;
  const expand = (filter?: string): ValueSet => expandValueSet(new OperationContext({ resolver: registry }), { valueSet: vs, filter, echo: [] });
  const first = expand();
  const again = expand();
  assert.deepEqual(again.expansion!.contains, first.expansion!.contains);
  assert.equal(again.expansion!.total, first.expansion!.total);
  // Callers get their own objects: changing one answer does not change the next.
  first.expansion!.contains![0]!.display = 'changed';
  assert.notEqual(expand().expansion!.contains![0]!.display, 'changed');
  assert.deepEqual(codes(expand('颅脑')), ['CT-HEAD', 'MR-HEAD']);
  const changed = examCodeSystem();
  changed.concept![1]!.concept!.push({ code: 'MR-HEAD-C', display: 'MR颅脑(增强)' });
  registry.add(changed);
  assert.deepEqual(codes(expand('颅脑')), ['CT-HEAD', 'MR-HEAD', 'MR-HEAD-C']);
  assert.equal(expand().expansion!.total, first.expansion!.total! + 1);
});

test('too-costly still applies to cached include evaluations', () => {
  const registry = new TerminologyRegistry();
  registry.add(examCodeSystem());
  const vs = allExamsValueSet();
  const ctx = (): OperationContext => new OperationContext({ resolver: registry });
  assert.ok(expandValueSet(ctx(), { valueSet: vs, echo: [] }).expansion!.total! > 3);
  assert.throws(() => expandValueSet(ctx(), { valueSet: vs, echo: [], limit: 3 }), /too many codes/);
  assert.throws(() => expandValueSet(ctx(), { valueSet: vs, filter: '颅脑', echo: [], limit: 3 }), /too many codes/);
});

test('ValueSet/$validate-code answers the same for filter-defined sets on repeated calls', () => {
  const registry = new TerminologyRegistry();
  registry.add(examCodeSystem());
  const vs = ctValueSet();
  const check = (code: string): boolean => {
    const out = validateCode(new OperationContext({ resolver: registry }), { target: 'valueset', kind: 'code', codings: [{ system: EXAM_SYSTEM, code }], valueSet: vs });
    return out.parameter!.find((p) => p.name === 'result')!.valueBoolean!;
  };
  for (let i = 0; i < 2; i++) {
    assert.equal(check('CT-HEAD'), true);
    assert.equal(check('MR-HEAD'), false);
  }
});
