import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Parameters, ParametersParameter } from 'fhir/r4';
import { TerminologyError } from '../../src/errors.js';
import { findMatches } from '../../src/matching/find-matches.js';
import { examItemsFromTsv } from '../../src/matching/items.js';
import { standardizeOperation } from '../../src/matching/standardize-operation.js';
import { TSV, matcher } from './helpers.js';

const SYSTEM = 'https://bzh.rimagcloud.com/fhir/CodeSystem/exam-item';
const items = examItemsFromTsv(TSV);
const ctx = { items, system: SYSTEM, version: 'V3.8.2' };

const prop = (code: string, value: string): ParametersParameter => ({ name: 'property', part: [{ name: 'code', valueCode: code }, { name: 'value', valueCode: value }] });
const part = (p: ParametersParameter | undefined, name: string) => p?.part?.find((x) => x.name === name);
const codesOf = (out: Parameters) => (out.parameter ?? []).map((m) => part(m, 'code')?.valueCoding?.code);

describe('CodeSystem/$find-matches on exam-item', () => {
  test('exact=true finds the item from its segments', () => {
    const out = findMatches({ resourceType: 'Parameters', parameter: [
      { name: 'system', valueUri: SYSTEM }, { name: 'exact', valueBoolean: true },
      prop('modality', 'CT'), prop('bodyPartL3', '010701'), prop('scanMethod', '11'), prop('postProcessing', '11'),
    ] }, ctx);
    assert.deepEqual(codesOf(out), ['20010701111100']);
    assert.equal(part(out.parameter?.[0], 'equivalence')?.valueCode, 'equivalent');
    assert.equal(part(out.parameter?.[0], 'code')?.valueCoding?.display, '* CT副鼻窦(平扫+三维重建)');
  });

  test('exact=true with an L2 property returns every item of that region', () => {
    const out = findMatches({ resourceType: 'Parameters', parameter: [{ name: 'exact', valueString: 'true' }, prop('deviceType', '40'), prop('bodyPartL2', '0302'), prop('xrayPosition', '37')] }, ctx);
    assert.deepEqual(codesOf(out), ['40030202003700']);
  });

  test('exact=false ranks partial matches and says what differs', () => {
    const out = findMatches({ resourceType: 'Parameters', parameter: [prop('modality', 'CT'), prop('bodyPartL3', '010701'), prop('scanMethod', '33')] }, ctx);
    const first = out.parameter?.[0];
    assert.equal(part(first, 'equivalence')?.valueCode, 'inexact');
    assert.match(part(first, 'comment')?.valueString ?? '', /scanMethod/);
    assert.ok((out.parameter ?? []).length <= 20);
    assert.ok(codesOf(out).every((c) => c?.startsWith('2')), 'CT items with the same body part rank first');
  });

  test('no match → empty Parameters; bad input → TerminologyError', () => {
    const none = findMatches({ resourceType: 'Parameters', parameter: [{ name: 'exact', valueBoolean: true }, prop('bodyPartL3', '010701'), prop('scanMethod', 'Xk')] }, ctx);
    assert.deepEqual(none.parameter, []);
    assert.throws(() => findMatches({ resourceType: 'Parameters', parameter: [prop('colour', 'red')] }, ctx), (e: unknown) => e instanceof TerminologyError && e.status === 400);
    assert.throws(() => findMatches({ resourceType: 'Parameters', parameter: [] }, ctx), (e: unknown) => e instanceof TerminologyError && e.status === 400);
    assert.throws(() => findMatches({ resourceType: 'Parameters', parameter: [{ name: 'system', valueUri: 'http://loinc.org' }, prop('modality', 'CT')] }, ctx), (e: unknown) => e instanceof TerminologyError && e.status === 404);
  });
});

describe('$standardize', () => {
  const sctx = { matcher: matcher(), system: SYSTEM, version: 'V3.8.2' };
  test('one result per name, in order, with code/display/score/decision/facets', () => {
    const out = standardizeOperation({ resourceType: 'Parameters', parameter: [
      { name: 'name', valueString: '64排CT平扫(胸部)' }, { name: 'name', valueString: '胸部CT+上腹部CT' }, { name: 'name', valueString: 'CT增强加收' },
    ] }, sctx);
    const results = out.parameter ?? [];
    assert.equal(results.length, 3);
    assert.deepEqual(results.map((r) => part(r, 'input')?.valueString), ['64排CT平扫(胸部)', '胸部CT+上腹部CT', 'CT增强加收']);
    assert.equal(part(results[0], 'code')?.valueString, '20040100110000');
    assert.equal(part(results[0], 'decision')?.valueCode, 'auto');
    assert.equal(part(results[0], 'score')?.valueDecimal, 1);
    const exam = part(results[0], 'exam');
    const cand = exam?.part?.find((p) => p.name === 'candidate');
    assert.equal(cand?.part?.find((p) => p.name === 'concept')?.valueCoding?.system, SYSTEM);
    assert.equal(JSON.parse(exam?.part?.find((p) => p.name === 'facets')?.valueString ?? '{}').modality, 'CT');
    assert.equal(part(results[1], 'code')?.valueString, '20040100110000+20050100110000');
    assert.equal((results[1]?.part ?? []).filter((p) => p.name === 'exam').length, 2);
    assert.equal(part(results[2], 'decision')?.valueCode, 'none');
    assert.equal(part(results[2], 'code'), undefined);
  });
  test('modality hint and limit are applied; no name → 400', () => {
    const out = standardizeOperation({ resourceType: 'Parameters', parameter: [{ name: 'name', valueString: '胸部平扫' }, { name: 'modality', valueCode: 'MR' }, { name: 'limit', valueInteger: 2 }] }, sctx);
    assert.equal(part(out.parameter?.[0], 'code')?.valueString, '30040100110000');
    assert.equal(part(out.parameter?.[0], 'exam')?.part?.filter((p) => p.name === 'candidate').length, 2);
    assert.throws(() => standardizeOperation({ resourceType: 'Parameters', parameter: [] }, sctx), (e: unknown) => e instanceof TerminologyError && e.status === 400);
  });
});

test('OperationDefinition-standardize declares what the handler reads and writes', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { ROOT } = await import('./helpers.js');
  const od = JSON.parse(readFileSync(join(ROOT, 'conformance/OperationDefinition-standardize.json'), 'utf8')) as {
    resourceType: string; id: string; code: string; system: boolean; type: boolean; resource: string[];
    parameter: Array<{ name: string; use: string; part?: Array<{ name: string; part?: Array<{ name: string; part?: Array<{ name: string }> }> }> }>;
  };
  assert.equal(od.resourceType, 'OperationDefinition');
  assert.equal(od.code, 'standardize');
  assert.ok(od.system && od.type && od.resource.includes('ConceptMap'));
  assert.deepEqual(od.parameter.filter((p) => p.use === 'in').map((p) => p.name).sort(), ['limit', 'localCode', 'modality', 'name', 'sender']);
  const result = od.parameter.find((p) => p.name === 'result');
  const declared = new Set(result?.part?.map((p) => p.name));
  const out = standardizeOperation({ resourceType: 'Parameters', parameter: [{ name: 'name', valueString: '胸部CT+上腹部CT' }, { name: 'name', valueString: '会诊' }] }, { matcher: matcher(), system: SYSTEM });
  for (const r of out.parameter ?? []) for (const p of r.part ?? []) assert.ok(declared.has(p.name), `result part ${p.name} is declared`);
  const examParts = new Set(result?.part?.find((p) => p.name === 'exam')?.part?.map((p) => p.name));
  for (const r of out.parameter ?? []) for (const e of (r.part ?? []).filter((p) => p.name === 'exam')) for (const p of e.part ?? []) assert.ok(examParts.has(p.name), `exam part ${p.name} is declared`);
});
