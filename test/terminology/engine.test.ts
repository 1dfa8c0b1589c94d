import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Parameters, ValueSet } from 'fhir/r4';
import { TerminologyError } from '../../src/errors.js';
import { normaliseSearchText } from '../../src/terminology/codesystems/text-index.js';
import { OperationContext } from '../../src/terminology/context.js';
import { expandValueSet } from '../../src/terminology/operations/expand.js';
import { lookupCode } from '../../src/terminology/operations/lookup.js';
import { subsumes } from '../../src/terminology/operations/subsumes.js';
import { validateCode } from '../../src/terminology/operations/validate-code.js';
import { TerminologyRegistry } from '../../src/terminology/registry.js';
import { compileFilterRegex } from '../../src/terminology/valuesets/regex.js';
import { pickVersion } from '../../src/terminology/versions.js';
import { allExamsValueSet, circularValueSets, ctValueSet, EXAM_SYSTEM, examCodeSystem } from './fixtures.js';

function setup(): { registry: TerminologyRegistry; ctx: OperationContext } {
  const registry = new TerminologyRegistry();
  registry.add(examCodeSystem());
  registry.add(allExamsValueSet());
  registry.add(ctValueSet());
  for (const vs of circularValueSets()) registry.add(vs);
  return { registry, ctx: new OperationContext({ resolver: registry }) };
}

const codes = (vs: ValueSet): string[] => (vs.expansion?.contains ?? []).map((c) => c.code!);
const param = (p: Parameters, name: string): unknown => {
  const found = p.parameter?.find((x) => x.name === name);
  if (!found) return undefined;
  return Object.entries(found).find(([k]) => k.startsWith('value'))?.[1] ?? found.resource;
};

test('normalisation folds full width, case and brackets', () => {
  assert.equal(normaliseSearchText('ＣＴ胸部（平扫）'), normaliseSearchText('ct胸部(平扫)'));
});

test('$expand filter finds Chinese displays, insensitive to case, width and brackets, best first', () => {
  const { registry, ctx } = setup();
  const vs = registry.findValueSet('http://example.org/fhir/ValueSet/exam-all')!;
  assert.deepEqual(codes(expandValueSet(ctx, { valueSet: vs, filter: '颅脑', echo: [] })), ['CT-HEAD', 'MR-HEAD']);
  assert.deepEqual(codes(expandValueSet(ctx, { valueSet: vs, filter: '胸部ct', echo: [] })), ['CT-CHEST', 'CT-CHEST-C']);
  assert.equal(codes(expandValueSet(ctx, { valueSet: vs, filter: 'CT胸部（平扫）', echo: [] }))[0], 'CT-CHEST');
  assert.deepEqual(codes(expandValueSet(ctx, { valueSet: vs, filter: 'head plain', echo: [] })), ['CT-HEAD']);
});

test('$expand descendent-of filter, activeOnly, paging and total', () => {
  const { registry, ctx } = setup();
  const vs = registry.findValueSet('http://example.org/fhir/ValueSet/exam-ct')!;
  const all = expandValueSet(ctx, { valueSet: vs, echo: [] });
  assert.equal(all.expansion?.total, 4);
  assert.ok(!codes(all).includes('CT'));
  assert.equal(expandValueSet(ctx, { valueSet: vs, activeOnly: true, echo: [] }).expansion?.total, 3);
  const page = expandValueSet(ctx, { valueSet: vs, count: 2, offset: 1, echo: [] });
  assert.equal(page.expansion?.total, 4);
  assert.equal(page.expansion?.offset, 1);
  assert.deepEqual(codes(page), ['CT-CHEST', 'CT-CHEST-C']);
});

test('$expand beyond the limit answers too-costly', () => {
  const { registry, ctx } = setup();
  const vs = registry.findValueSet('http://example.org/fhir/ValueSet/exam-all')!;
  assert.throws(() => expandValueSet(ctx, { valueSet: vs, echo: [], limit: 3 }), (err: unknown) => err instanceof TerminologyError && err.issues[0]?.code === 'too-costly');
});

test('circular value set includes are detected', () => {
  const { registry, ctx } = setup();
  const vs = registry.findValueSet('http://example.org/fhir/ValueSet/loop-a')!;
  assert.throws(() => expandValueSet(ctx, { valueSet: vs, echo: [] }), /circularity/);
});

test('regex filters run in linear time for catastrophic patterns and reject invalid ones', () => {
  const re = compileFilterRegex('((a+)+)+');
  assert.equal(re.test('a'.repeat(59)), true);
  assert.equal(re.test('a'.repeat(59) + '!'), false);
  assert.throws(() => compileFilterRegex('(unclosed'), (err: unknown) => err instanceof TerminologyError && err.status === 400);
});

test('$validate-code: good code, wrong code (result=false, not an error), wrong display', () => {
  const { registry, ctx } = setup();
  const vs = registry.findValueSet('http://example.org/fhir/ValueSet/exam-ct')!;
  const good = validateCode(ctx, { target: 'valueset', valueSet: vs, kind: 'code', codings: [{ system: EXAM_SYSTEM, code: 'CT-HEAD' }] });
  assert.equal(param(good, 'result'), true);
  assert.equal(param(good, 'display'), '* CT颅脑(平扫)');
  const bad = validateCode(ctx, { target: 'valueset', valueSet: vs, kind: 'code', codings: [{ system: EXAM_SYSTEM, code: 'MR-HEAD' }] });
  assert.equal(param(bad, 'result'), false);
  assert.match(String(param(bad, 'message')), /was not found in the value set/);
  const display = validateCode(ctx, { target: 'codesystem', kind: 'coding', codings: [{ system: EXAM_SYSTEM, code: 'CT-HEAD', display: '头' }] });
  assert.equal(param(display, 'result'), false);
  assert.match(String(param(display, 'message')), /Wrong Display Name '头'/);
});

test('$lookup returns properties, parent and children; $subsumes walks the hierarchy', () => {
  const { registry, ctx } = setup();
  const provider = registry.provider(registry.findCodeSystem(EXAM_SYSTEM)!);
  const out = lookupCode(ctx, { provider, code: 'CT', properties: [] });
  const props = (out.parameter ?? []).filter((p) => p.name === 'property').map((p) => `${p.part?.[0]?.valueCode}=${p.part?.[1]?.valueCode ?? p.part?.[1]?.valueBoolean}`);
  assert.ok(props.includes('child=CT-HEAD'));
  assert.ok(props.includes('modality=CT'));
  assert.equal(param(subsumes(provider, 'CT', 'CT-HEAD'), 'outcome'), 'subsumes');
  assert.equal(param(subsumes(provider, 'CT-HEAD', 'CT'), 'outcome'), 'subsumed-by');
  assert.equal(param(subsumes(provider, 'CT-HEAD', 'MR'), 'outcome'), 'not-subsumed');
});

test('versions resolve exactly, by wildcard and by major.minor; latest by default', () => {
  const items = [{ version: '1.0.0' }, { version: '1.2.0' }, { version: '2.0.1' }];
  assert.equal(pickVersion(items, undefined)?.version, '2.0.1');
  assert.equal(pickVersion(items, '1.x')?.version, '1.2.0');
  assert.equal(pickVersion(items, '1.0')?.version, '1.0.0');
  assert.equal(pickVersion(items, '3.0.0'), undefined);
});
