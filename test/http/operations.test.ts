/**
 * HTTP tests pinning the Parameters / OperationOutcome shapes of the terminology operations
 * (GET and POST, type and instance level) and each error class.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import request from 'supertest';
import type { Express } from 'express';
import { defaultConfig } from '../../src/config.js';
import { createApp } from '../../src/fhir/app.js';
import { createOperationTable } from '../../src/fhir/operations/table.js';
import { silentLogger } from '../../src/logger.js';
import { TerminologyRegistry } from '../../src/terminology/registry.js';
import { storeless } from '../conformance/server.js';
import { allExamsValueSet, ctValueSet, EXAM_SYSTEM, examCodeSystem, examConceptMap } from '../terminology/fixtures.js';

let app: Express;
const CT_VS = 'http://example.org/fhir/ValueSet/exam-ct';
const FHIR_JSON = 'application/fhir+json';

before(async () => {
  const registry = new TerminologyRegistry();
  for (const r of [examCodeSystem(), allExamsValueSet(), ctValueSet(), examConceptMap()]) registry.add(r);
  const config = defaultConfig();
  app = createApp({ operations: createOperationTable({ registry, maxExpansionSize: 1000 }), registry, store: storeless(), config, logger: silentLogger });
});

const post = (path: string, parameter: unknown[]) => request(app).post(`/fhir/${path}`).set('content-type', FHIR_JSON).send({ resourceType: 'Parameters', parameter });

test('GET CodeSystem/$lookup returns the Parameters shape', async () => {
  const res = await request(app).get(`/fhir/CodeSystem/$lookup?system=${encodeURIComponent(EXAM_SYSTEM)}&code=CT-HEAD&property=modality`);
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, {
    resourceType: 'Parameters',
    parameter: [
      { name: 'name', valueString: 'ExamTest' },
      { name: 'version', valueString: '1.0.0' },
      { name: 'display', valueString: '* CT颅脑(平扫)' },
      { name: 'code', valueCode: 'CT-HEAD' },
      { name: 'system', valueUri: EXAM_SYSTEM },
      { name: 'abstract', valueBoolean: false },
      { name: 'property', part: [{ name: 'code', valueCode: 'modality' }, { name: 'value', valueCode: 'CT' }] },
    ],
  });
});

test('POST CodeSystem/{id}/$lookup (instance level) with a coding', async () => {
  const res = await post('CodeSystem/exam/$lookup', [{ name: 'coding', valueCoding: { code: 'MR-HEAD' } }, { name: 'property', valueCode: 'parent' }]);
  assert.equal(res.status, 200);
  const parent = res.body.parameter.find((p: { name: string }) => p.name === 'property');
  assert.deepEqual(parent, { name: 'property', part: [{ name: 'code', valueCode: 'parent' }, { name: 'value', valueCode: 'MR' }, { name: 'description', valueString: 'MR检查' }] });
});

test('$lookup of an unknown code is 404 with an OperationOutcome', async () => {
  const res = await request(app).get(`/fhir/CodeSystem/$lookup?system=${encodeURIComponent(EXAM_SYSTEM)}&code=NOPE`);
  assert.equal(res.status, 404);
  assert.equal(res.body.resourceType, 'OperationOutcome');
  assert.equal(res.body.issue[0].code, 'not-found');
  assert.equal(res.body.issue[0].details.text, `Unknown code 'NOPE' in the CodeSystem '${EXAM_SYSTEM}' version '1.0.0'`);
});

test('missing required parameters are 400', async () => {
  const res = await request(app).get('/fhir/CodeSystem/$lookup?system=x');
  assert.equal(res.status, 400);
  assert.equal(res.body.issue[0].code, 'required');
  const vs = await request(app).get('/fhir/ValueSet/$expand');
  assert.equal(vs.status, 400);
});

test('unknown code system and value set are 404', async () => {
  const cs = await request(app).get('/fhir/CodeSystem/$lookup?system=http://nowhere.example/cs&code=x');
  assert.equal(cs.status, 404);
  assert.equal(cs.body.issue[0].details.text, "A definition for CodeSystem 'http://nowhere.example/cs' could not be found");
  const vs = await request(app).get('/fhir/ValueSet/$validate-code?url=http://nowhere.example/vs&code=x&system=y');
  assert.equal(vs.status, 404);
  assert.equal(vs.body.issue[0].details.text, "A definition for the value Set 'http://nowhere.example/vs' could not be found");
});

test('GET ValueSet/$validate-code: good code', async () => {
  const res = await request(app).get(`/fhir/ValueSet/$validate-code?url=${encodeURIComponent(CT_VS)}&system=${encodeURIComponent(EXAM_SYSTEM)}&code=CT-HEAD`);
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, {
    resourceType: 'Parameters',
    parameter: [
      { name: 'code', valueCode: 'CT-HEAD' },
      { name: 'display', valueString: '* CT颅脑(平扫)' },
      { name: 'result', valueBoolean: true },
      { name: 'system', valueUri: EXAM_SYSTEM },
      { name: 'version', valueString: '1.0.0' },
    ],
  });
});

test('POST ValueSet/{id}/$validate-code: a code outside the value set is result=false with issues, HTTP 200', async () => {
  const res = await post('ValueSet/exam-ct/$validate-code', [{ name: 'coding', valueCoding: { system: EXAM_SYSTEM, code: 'MR-HEAD' } }]);
  assert.equal(res.status, 200);
  const text = `The provided code '${EXAM_SYSTEM}#MR-HEAD' was not found in the value set '${CT_VS}|1.0.0'`;
  assert.deepEqual(res.body.parameter, [
    { name: 'code', valueCode: 'MR-HEAD' },
    { name: 'display', valueString: 'MR颅脑(平扫)' },
    {
      name: 'issues',
      resource: {
        resourceType: 'OperationOutcome',
        issue: [
          {
            extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id', valueString: 'None_of_the_provided_codes_are_in_the_value_set_one' }],
            severity: 'error',
            code: 'code-invalid',
            details: { text, coding: [{ system: 'http://hl7.org/fhir/tools/CodeSystem/tx-issue-type', code: 'not-in-vs' }] },
            expression: ['Coding.code'],
          },
        ],
      },
    },
    { name: 'message', valueString: text },
    { name: 'result', valueBoolean: false },
    { name: 'system', valueUri: EXAM_SYSTEM },
    { name: 'version', valueString: '1.0.0' },
  ]);
});

test('CodeSystem/$validate-code with an unknown code and a wrong display', async () => {
  const res = await request(app).get(`/fhir/CodeSystem/$validate-code?url=${encodeURIComponent(EXAM_SYSTEM)}&code=ZZ`);
  assert.equal(res.status, 200);
  assert.equal(res.body.parameter.find((p: { name: string }) => p.name === 'result').valueBoolean, false);
  const display = await post('CodeSystem/$validate-code', [{ name: 'coding', valueCoding: { system: EXAM_SYSTEM, code: 'CT-HEAD', display: 'wrong' } }]);
  assert.equal(display.status, 200);
  const issue = display.body.parameter.find((p: { name: string }) => p.name === 'issues').resource.issue[0];
  assert.deepEqual(issue.details.coding, [{ system: 'http://hl7.org/fhir/tools/CodeSystem/tx-issue-type', code: 'invalid-display' }]);
  assert.deepEqual(issue.expression, ['Coding.display']);
});

test('ValueSet/$expand with a Chinese filter (GET) and paging (POST)', async () => {
  const res = await request(app).get(`/fhir/ValueSet/$expand?url=${encodeURIComponent(CT_VS)}&filter=${encodeURIComponent('胸部ct')}`);
  assert.equal(res.status, 200);
  assert.equal(res.body.resourceType, 'ValueSet');
  assert.equal(res.body.expansion.total, 2);
  assert.deepEqual(res.body.expansion.contains.map((c: { code: string }) => c.code), ['CT-CHEST', 'CT-CHEST-C']);
  assert.deepEqual(res.body.expansion.parameter[0], { name: 'filter', valueString: '胸部ct' });
  const page = await post('ValueSet/exam-ct/$expand', [{ name: 'count', valueInteger: 1 }, { name: 'offset', valueInteger: 1 }]);
  assert.equal(page.status, 200);
  assert.equal(page.body.expansion.total, 4);
  assert.equal(page.body.expansion.offset, 1);
  assert.deepEqual(page.body.expansion.contains, [{ system: EXAM_SYSTEM, code: 'CT-CHEST', display: '* CT胸部(平扫)' }]);
});

test('an invalid regex filter is 400', async () => {
  const vs = { resourceType: 'ValueSet', url: 'http://example.org/vs/bad-regex', status: 'active', compose: { include: [{ system: EXAM_SYSTEM, filter: [{ property: 'code', op: 'regex', value: '(unclosed' }] }] } };
  const res = await post('ValueSet/$expand', [{ name: 'valueSet', resource: vs }]);
  assert.equal(res.status, 400);
  assert.equal(res.body.issue[0].code, 'invalid');
  assert.match(res.body.issue[0].details.text, /not a valid regular expression/);
});

test('too-large expansions answer too-costly (X-TOO-COSTLY-THRESHOLD)', async () => {
  const res = await request(app).get('/fhir/ValueSet/$expand?url=http://example.org/fhir/ValueSet/exam-all').set('x-too-costly-threshold', '3');
  assert.equal(res.status, 422);
  assert.equal(res.body.issue[0].code, 'too-costly');
  assert.equal(res.body.issue[0].details.text, "The value set 'http://example.org/fhir/ValueSet/exam-all|1.0.0' expansion has too many codes to produce (>3)");
});

test('tx-resource supplies a code system for one request only', async () => {
  const cs = { resourceType: 'CodeSystem', url: 'http://example.org/tmp', version: '1', status: 'active', content: 'complete', concept: [{ code: 'a', display: 'A' }] };
  const res = await post('CodeSystem/$validate-code', [{ name: 'url', valueUri: 'http://example.org/tmp' }, { name: 'code', valueCode: 'a' }, { name: 'tx-resource', resource: cs }]);
  assert.equal(res.body.parameter.find((p: { name: string }) => p.name === 'result').valueBoolean, true);
  const again = await request(app).get('/fhir/CodeSystem/$lookup?system=http://example.org/tmp&code=a');
  assert.equal(again.status, 404);
});

test('ConceptMap/$translate forward (R4 names) and reverse (R5 targetCode)', async () => {
  const fwd = await post('ConceptMap/$translate', [{ name: 'system', valueUri: 'http://example.org/local' }, { name: 'code', valueCode: 'L1' }]);
  assert.equal(fwd.status, 200);
  assert.deepEqual(fwd.body.parameter, [
    { name: 'result', valueBoolean: true },
    {
      name: 'match',
      part: [
        { name: 'equivalence', valueCode: 'equivalent' },
        { name: 'relationship', valueCode: 'equivalent' },
        { name: 'concept', valueCoding: { system: EXAM_SYSTEM, code: 'CT-HEAD', display: '* CT颅脑(平扫)' } },
        { name: 'originMap', valueCanonical: 'http://example.org/fhir/ConceptMap/local-to-exam|1' },
      ],
    },
  ]);
  const rev = await post('ConceptMap/$translate', [{ name: 'targetCode', valueCode: 'CT-HEAD' }, { name: 'targetSystem', valueUri: EXAM_SYSTEM }]);
  const match = rev.body.parameter.find((p: { name: string }) => p.name === 'match');
  // Reverse: `concept` is the code asked about, `source` the source-side concept mapping to it (tx-ecosystem translate suite).
  assert.deepEqual(match.part.find((p: { name: string }) => p.name === 'source'), { name: 'source', valueCoding: { system: 'http://example.org/local', code: 'L1' } });
});

test('CodeSystem/$subsumes (GET, type level) and (POST, instance level)', async () => {
  const res = await request(app).get(`/fhir/CodeSystem/$subsumes?system=${encodeURIComponent(EXAM_SYSTEM)}&codeA=CT&codeB=CT-HEAD`);
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { resourceType: 'Parameters', parameter: [{ name: 'outcome', valueCode: 'subsumes' }] });
  const inst = await post('CodeSystem/exam/$subsumes', [{ name: 'codeA', valueCode: 'CT-HEAD' }, { name: 'codeB', valueCode: 'MR' }]);
  assert.deepEqual(inst.body.parameter, [{ name: 'outcome', valueCode: 'not-subsumed' }]);
});
