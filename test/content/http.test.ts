/** The content over HTTP: $lookup, $validate-code, $expand and $translate through the real operation table. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { CodeSystem, ConceptMap, Parameters, ValueSet } from 'fhir/r4';
import { TerminologyRegistry } from '../../src/terminology/registry.js';
import { createOperationTable } from '../../src/fhir/operations/table.js';
import { examItemProviderFactory } from '../../src/standard/exam-item-provider.js';
import { codeSystemUrl, valueSetUrl, conceptMapUrl, CS, DEFAULT_CANONICAL_BASE as BASE } from '../../src/standard/canonical.js';
import { buildTestApp } from '../fhir/helpers.js';
import { committed, root } from './helpers.js';

const registry = new TerminologyRegistry();
for (const dir of ['codesystems', 'valuesets', 'conformance/conceptmaps']) {
  for (const f of readdirSync(join(root, dir))) registry.add(committed<CodeSystem | ValueSet | ConceptMap>(`${dir}/${f}`));
}
registry.registerProviderFactory(codeSystemUrl(BASE, CS.examItem), examItemProviderFactory({ resolve: (url) => registry.findCodeSystem(url) }));
const { app } = buildTestApp({ operations: createOperationTable({ registry }) });
const EXAM_ITEM = codeSystemUrl(BASE, CS.examItem);
const p = (body: Parameters, name: string) => body.parameter?.find((x) => x.name === name);

test('GET $lookup of a device-specific code answers the built display', async () => {
  const res = await request(app).get('/fhir/CodeSystem/$lookup').query({ system: EXAM_ITEM, code: '22072201221100' });
  assert.equal(res.status, 200);
  assert.equal(p(res.body, 'display')?.valueString, '16排CT左膝关节(平扫+增强+三维重建)');
});

test('$validate-code: published item true, invalid code false with the segment named (HTTP 200)', async () => {
  const ok = await request(app).get('/fhir/CodeSystem/$validate-code').query({ url: EXAM_ITEM, code: '44040803M13700' });
  assert.equal(ok.status, 200);
  assert.equal(p(ok.body, 'result')?.valueBoolean, true);
  assert.equal(p(ok.body, 'display')?.valueString, '* MG双侧乳腺钼靶正、侧位');
  const bad = await request(app).get('/fhir/CodeSystem/$validate-code').query({ url: EXAM_ITEM, code: '20010199110000' });
  assert.equal(bad.status, 200);
  assert.equal(p(bad.body, 'result')?.valueBoolean, false);
  assert.match(JSON.stringify(bad.body), /三级部位 body part level 3/);
});

test('$expand exam-item-ct reports 548 and pages', async () => {
  const res = await request(app).get('/fhir/ValueSet/$expand').query({ url: valueSetUrl(BASE, 'exam-item-ct'), count: '5' });
  assert.equal(res.status, 200);
  assert.equal(res.body.expansion.total, 548);
  assert.equal(res.body.expansion.contains.length, 5);
});

test('$translate 川渝 36 头颅正侧位 → 40010102003700', async () => {
  const res = await request(app).get('/fhir/ConceptMap/$translate').query({ url: conceptMapUrl(BASE, 'chuanyu-to-exam-item'), system: codeSystemUrl(BASE, CS.chuanyuItem), code: '36' });
  assert.equal(res.status, 200);
  assert.equal(p(res.body, 'result')?.valueBoolean, true);
  assert.match(JSON.stringify(res.body), /40010102003700/);
});

test('ValueSet/$validate-code: a device-specific code is in the value sets whose filters accept it', async () => {
  const inVs = async (vs: string, code: string) => {
    const res = await request(app).get('/fhir/ValueSet/$validate-code').query({ url: valueSetUrl(BASE, vs), system: EXAM_ITEM, code });
    assert.equal(res.status, 200);
    return p(res.body, 'result')?.valueBoolean;
  };
  // 22 = 16排CT, formed from the neutral CT item 20072201221100 (§6.1.2)
  assert.equal(await inVs('exam-item-all', '22072201221100'), true);
  assert.equal(await inVs('exam-item-ct', '22072201221100'), true);
  assert.equal(await inVs('exam-item-mr', '22072201221100'), false, 'the MR value set filters it out');
  assert.equal(await inVs('exam-item-device-neutral', '22072201221100'), false, 'not device-neutral');
  assert.equal(await inVs('exam-item-all', '22072201991100'), false, 'no neutral item with these segments');
});
