/** The exam-item provider inside the terminology engine: $lookup and $validate-code on computed codes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeSystem, Parameters } from 'fhir/r4';
import { TerminologyRegistry } from '../../src/terminology/registry.js';
import { OperationContext } from '../../src/terminology/context.js';
import { lookupCode } from '../../src/terminology/operations/lookup.js';
import { validateCode } from '../../src/terminology/operations/validate-code.js';
import { examItemProviderFactory } from '../../src/standard/exam-item-provider.js';
import { codeSystemUrl, CS, DEFAULT_CANONICAL_BASE } from '../../src/standard/canonical.js';
import { committed, root } from '../content/helpers.js';

const EXAM_ITEM = codeSystemUrl(DEFAULT_CANONICAL_BASE, CS.examItem);

function setUp() {
  const registry = new TerminologyRegistry();
  for (const f of readdirSync(join(root, 'codesystems'))) registry.add(committed<CodeSystem>(`codesystems/${f}`));
  registry.registerProviderFactory(EXAM_ITEM, examItemProviderFactory({ resolve: (url) => registry.findCodeSystem(url) }));
  const examItem = registry.findCodeSystem(EXAM_ITEM, 'V3.8.2')!;
  const ctx = new OperationContext({ resolver: registry });
  return { registry, examItem, ctx, provider: registry.provider(examItem) };
}

const param = (p: Parameters, name: string) => p.parameter?.find((x) => x.name === name);

test('$lookup of a device-specific code returns the built display and the neutral properties', () => {
  const { ctx, provider } = setUp();
  const out = lookupCode(ctx, { provider, code: '22072201221100', properties: [] });
  assert.equal(param(out, 'display')?.valueString, '16排CT左膝关节(平扫+增强+三维重建)');
  const props = out.parameter!.filter((p) => p.name === 'property').map((p) => [p.part![0]!.valueCode, p.part![1]!.valueCode ?? p.part![1]!.valueString]);
  assert.deepEqual(props.find(([c]) => c === 'deviceType'), ['deviceType', '22']);
  assert.deepEqual(props.find(([c]) => c === 'bodyPartL3'), ['bodyPartL3', '072201']);
});

test('$lookup of an invalid code names the segment at fault', () => {
  const { ctx, provider } = setUp();
  assert.throws(() => lookupCode(ctx, { provider, code: '20010100990000', properties: [] }), /scan method.*"99" is not a CT scan method/);
  assert.throws(() => lookupCode(ctx, { provider, code: '22072201331100', properties: [] }), /20072201331100 does not exist/);
});

test('$validate-code accepts device-specific codes and explains wrong ones', () => {
  const { ctx, examItem } = setUp();
  const run = (code: string, display?: string) =>
    validateCode(ctx, { target: 'codesystem', kind: 'code', codings: [{ system: EXAM_ITEM, code, display }], codeSystem: examItem });
  const ok = run('33050101230000');
  assert.equal(param(ok, 'result')?.valueBoolean, true);
  assert.equal(param(ok, 'display')?.valueString, '3.0TMR肝脏动态对比增强(DCE-MRI)');
  const typed = run('33050101230000', '* 3.0TMR肝脏动态对比增强(DCE-MRI)');
  assert.equal(param(typed, 'result')?.valueBoolean, true, 'the form with * is a designation');
  const bad = run('2001010011000');
  assert.equal(param(bad, 'result')?.valueBoolean, false);
  assert.match(param(bad, 'message')?.valueString ?? '', /wrong length: 13 characters/);
  const ext = run('20030202110000-x');
  assert.equal(param(ext, 'result')?.valueBoolean, false);
  assert.match(param(ext, 'message')?.valueString ?? '', /institution extension/);
  assert.equal(param(run('20010100110000'), 'result')?.valueBoolean, true);
});
