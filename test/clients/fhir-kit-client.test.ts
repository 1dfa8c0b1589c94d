/**
 * fhir-kit-client (npm) as an independent client of our server (issue 4, "Real clients"): the same
 * round trip as the HAPI harness — validate (valid, unknown code, wrong display), lookup, expand,
 * translate (ConceptMap and free text) — with every answer asserted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, type OperationParams } from 'fhir-kit-client';
import type { Coding, Parameters, ValueSet } from 'fhir/r4';
import {
  CHEST_CT_PLAIN,
  EXAM_ITEM_SYSTEM,
  EXAM_ITEM_VALUESET,
  EXPAND_FILTER,
  FREE_TEXT,
  findConceptMapHit,
  param,
  params,
  part,
  SAMPLE_CODE,
  SAMPLE_DISPLAY,
  startServerUnderTest,
  UNKNOWN_CODE,
  WRONG_DISPLAY,
  type ServerUnderTest,
} from './support.js';

describe('fhir-kit-client against our server', () => {
  let sut: ServerUnderTest;
  let client: Client;

  before(async () => {
    sut = await startServerUnderTest();
    client = new Client({ baseUrl: sut.base });
  });
  after(async () => {
    await sut?.close();
  });

  const op = async (args: OperationParams): Promise<Parameters> => (await client.operation(args)) as unknown as Parameters;

  test('CodeSystem/$validate-code (GET) accepts a valid code and display', async () => {
    const out = await op({ name: '$validate-code', resourceType: 'CodeSystem', method: 'GET', input: { url: EXAM_ITEM_SYSTEM, code: SAMPLE_CODE, display: SAMPLE_DISPLAY } });
    assert.equal(param(out, 'result')?.valueBoolean, true);
    assert.equal(param(out, 'display')?.valueString, SAMPLE_DISPLAY);
  });

  test('ValueSet/$validate-code (POST Parameters with a Coding) accepts a code of exam-item-all', async () => {
    const input: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'url', valueUri: EXAM_ITEM_VALUESET },
        { name: 'coding', valueCoding: { system: EXAM_ITEM_SYSTEM, code: SAMPLE_CODE } },
      ],
    };
    const out = await op({ name: '$validate-code', resourceType: 'ValueSet', method: 'POST', input: input as unknown as OperationParams['input'] });
    assert.equal(param(out, 'result')?.valueBoolean, true);
    assert.equal(param(out, 'display')?.valueString, SAMPLE_DISPLAY);
  });

  test('CodeSystem/$validate-code rejects an unknown code with a message naming it', async () => {
    const out = await op({ name: '$validate-code', resourceType: 'CodeSystem', method: 'GET', input: { url: EXAM_ITEM_SYSTEM, code: UNKNOWN_CODE } });
    assert.equal(param(out, 'result')?.valueBoolean, false);
    assert.match(param(out, 'message')?.valueString ?? '', new RegExp(UNKNOWN_CODE));
  });

  test('CodeSystem/$validate-code rejects a wrong display and names the valid one', async () => {
    const out = await op({ name: '$validate-code', resourceType: 'CodeSystem', method: 'GET', input: { url: EXAM_ITEM_SYSTEM, code: SAMPLE_CODE, display: WRONG_DISPLAY } });
    assert.equal(param(out, 'result')?.valueBoolean, false);
    const message = param(out, 'message')?.valueString ?? '';
    assert.ok(message.includes(WRONG_DISPLAY), `message should quote the wrong display: ${message}`);
    assert.equal(param(out, 'display')?.valueString, SAMPLE_DISPLAY);
  });

  test('CodeSystem/$lookup returns display, version and the code-segment properties', async () => {
    const out = await op({ name: '$lookup', resourceType: 'CodeSystem', method: 'GET', input: { system: EXAM_ITEM_SYSTEM, code: SAMPLE_CODE } });
    assert.equal(param(out, 'display')?.valueString, SAMPLE_DISPLAY);
    assert.equal(param(out, 'version')?.valueString, 'V3.8.2');
    const props = new Map(params(out, 'property').map((p) => [part(p, 'code')?.valueCode, part(p, 'value')]));
    assert.equal(props.get('modality')?.valueCode, 'CT');
    assert.equal(props.get('scanMethod')?.valueCode, '11');
    assert.equal(props.get('bodyPartL3')?.valueCode, '010100');
  });

  test('CodeSystem/$lookup of an unknown code is a 404 OperationOutcome', async () => {
    await assert.rejects(
      op({ name: '$lookup', resourceType: 'CodeSystem', method: 'GET', input: { system: EXAM_ITEM_SYSTEM, code: UNKNOWN_CODE } }),
      (err: { response?: { status?: number; data?: { resourceType?: string } } }) => {
        assert.equal(err.response?.status, 404);
        assert.equal(err.response?.data?.resourceType, 'OperationOutcome');
        return true;
      },
    );
  });

  test(`ValueSet/$expand with filter=${EXPAND_FILTER} returns only matching exam items`, async () => {
    const vs = (await client.operation({ name: '$expand', resourceType: 'ValueSet', method: 'GET', input: { url: EXAM_ITEM_VALUESET, filter: EXPAND_FILTER } })) as unknown as ValueSet;
    const contains = vs.expansion?.contains ?? [];
    assert.ok(contains.length > 0, 'expansion is empty');
    assert.ok(
      contains.some((c) => c.system === EXAM_ITEM_SYSTEM && c.code === CHEST_CT_PLAIN),
      `${CHEST_CT_PLAIN} (* CT胸部(平扫)) missing from the expansion`,
    );
    const off = contains.filter((c) => !c.display?.includes(EXPAND_FILTER));
    assert.deepEqual(off.map((c) => c.code), [], 'every display matches the filter');
  });

  test('ConceptMap/$translate maps a mapped source code to its exam item', async () => {
    const hit = findConceptMapHit();
    assert.ok(hit, 'no ConceptMap with a mapped element under conformance/');
    const out = await op({ name: '$translate', resourceType: 'ConceptMap', method: 'GET', input: { url: hit.url, system: hit.system, code: hit.code, targetsystem: EXAM_ITEM_SYSTEM } });
    assert.equal(param(out, 'result')?.valueBoolean, true);
    const targets = params(out, 'match').map((m) => part(m, 'concept')?.valueCoding as Coding | undefined);
    assert.ok(targets.some((c) => c?.system === EXAM_ITEM_SYSTEM && c.code === hit.target), `expected ${hit.target} in ${JSON.stringify(targets)}`);
  });

  test('ConceptMap/$translate falls back to the matcher for free text (codeableConcept.text)', async () => {
    const input: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'codeableConcept', valueCodeableConcept: { text: FREE_TEXT } },
        { name: 'targetsystem', valueUri: EXAM_ITEM_SYSTEM },
      ],
    };
    const out = await op({ name: '$translate', resourceType: 'ConceptMap', method: 'POST', input: input as unknown as OperationParams['input'] });
    assert.equal(param(out, 'result')?.valueBoolean, true);
    const first = part(params(out, 'match')[0], 'concept')?.valueCoding;
    assert.equal(first?.system, EXAM_ITEM_SYSTEM);
    assert.equal(first?.code, CHEST_CT_PLAIN, `${FREE_TEXT} should map to * CT胸部(平扫) first`);
  });
});
