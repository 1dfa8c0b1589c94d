import { test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Parameters } from 'fhir/r4';
import { InvalidRequestError, NotFoundError } from '../../src/errors.js';
import type { OperationRequest, OperationTable } from '../../src/fhir/operation-types.js';
import { buildTestApp, FHIR_JSON_R4 } from './helpers.js';

function echoTable(seen: OperationRequest[]): OperationTable {
  const echo = async (req: OperationRequest) => {
    seen.push(req);
    return req.params;
  };
  return {
    'ValueSet/$expand': echo,
    'CodeSystem/$lookup': async (req) => {
      seen.push(req);
      const code = req.params.parameter?.find((p) => p.name === 'code');
      if (!code) throw new InvalidRequestError("Missing required parameter 'code'", { code: 'required' });
      if (code.valueString === 'nope') throw new NotFoundError("Unknown code 'nope'");
      return { status: 200, resource: { resourceType: 'Parameters', parameter: [{ name: 'display', valueString: 'X' }] } };
    },
    '$versions': echo,
    'ConceptMap/$translate': async () => {
      throw new Error('engine bug');
    },
  };
}

test('GET query args become valueString parameters, repeated args repeat, _format is ignored', async () => {
  const seen: OperationRequest[] = [];
  const { app } = buildTestApp({ operations: echoTable(seen) });
  const res = await request(app).get('/fhir/ValueSet/$expand?url=http%3A%2F%2Fx&filter=a&filter=b&_format=json').set('Accept', FHIR_JSON_R4);
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/fhir+json; charset=utf-8');
  assert.deepEqual(res.body, {
    resourceType: 'Parameters',
    parameter: [
      { name: 'url', valueString: 'http://x' },
      { name: 'filter', valueString: 'a' },
      { name: 'filter', valueString: 'b' },
    ],
  });
  assert.equal(seen[0]?.method, 'GET');
  assert.equal(seen[0]?.resourceType, 'ValueSet');
  assert.equal(seen[0]?.id, undefined);
});

test('POST Parameters body with fhirVersion and charset params reaches the handler as sent', async () => {
  const seen: OperationRequest[] = [];
  const { app } = buildTestApp({ operations: echoTable(seen) });
  const body: Parameters = { resourceType: 'Parameters', parameter: [{ name: 'url', valueUri: 'http://x' }, { name: 'count', valueInteger: 5 }] };
  const res = await request(app).post('/fhir/ValueSet/$expand').set('Content-Type', FHIR_JSON_R4).set('Accept-Language', 'zh-CN').send(JSON.stringify(body));
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, body);
  assert.equal(seen[0]?.method, 'POST');
  assert.equal(seen[0]?.headers['accept-language'], 'zh-CN');
});

test('instance-level and system-level operations are mounted from the table', async () => {
  const seen: OperationRequest[] = [];
  const { app } = buildTestApp({ operations: echoTable(seen) });
  const inst = await request(app).post('/fhir/ValueSet/exam-item-ct/$expand').set('Content-Type', 'application/json').send({ resourceType: 'Parameters' });
  assert.equal(inst.status, 200);
  assert.equal(seen[0]?.id, 'exam-item-ct');
  const sys = await request(app).get('/fhir/$versions');
  assert.equal(sys.status, 200);
  assert.equal(seen[1]?.resourceType, undefined);
});

test('TerminologyError becomes its status with an OperationOutcome; wrapped results keep their status', async () => {
  const { app } = buildTestApp({ operations: echoTable([]) });
  const missing = await request(app).get('/fhir/CodeSystem/$lookup?system=http://x');
  assert.equal(missing.status, 400);
  assert.deepEqual(missing.body, {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'required', details: { text: "Missing required parameter 'code'" } }],
  });
  const notFound = await request(app).get('/fhir/CodeSystem/$lookup?code=nope');
  assert.equal(notFound.status, 404);
  assert.equal(notFound.body.issue[0].code, 'not-found');
  const okRes = await request(app).get('/fhir/CodeSystem/$lookup?code=a');
  assert.equal(okRes.status, 200);
  assert.equal(okRes.body.parameter[0].valueString, 'X');
});

test('an unexpected exception is a 500 OperationOutcome and the app keeps serving', async () => {
  const { app } = buildTestApp({ operations: echoTable([]) });
  const res = await request(app).post('/fhir/ConceptMap/$translate').set('Content-Type', 'application/fhir+json').send('{"resourceType":"Parameters"}');
  assert.equal(res.status, 500);
  assert.equal(res.headers['content-type'], 'application/fhir+json; charset=utf-8');
  assert.deepEqual(res.body.issue[0], { severity: 'error', code: 'exception', details: { text: 'Internal error' }, diagnostics: 'engine bug' });
  const after = await request(app).get('/fhir/$versions');
  assert.equal(after.status, 200);
});

test('malformed JSON → 400 structure; wrong content type → 415; non-Parameters body → 400', async () => {
  const { app } = buildTestApp({ operations: echoTable([]) });
  const bad = await request(app).post('/fhir/ValueSet/$expand').set('Content-Type', 'application/fhir+json').send('{"resourceType": "Parameters",');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.resourceType, 'OperationOutcome');
  assert.equal(bad.body.issue[0].code, 'structure');
  assert.match(bad.body.issue[0].details.text, /^Malformed JSON body/);
  const xml = await request(app).post('/fhir/ValueSet/$expand').set('Content-Type', 'application/fhir+xml').send('<Parameters/>');
  assert.equal(xml.status, 415);
  assert.equal(xml.body.issue[0].code, 'not-supported');
  const latin1 = await request(app).post('/fhir/ValueSet/$expand').set('Content-Type', 'application/json; charset=iso-8859-1').send('{}');
  assert.equal(latin1.status, 415);
  const wrong = await request(app).post('/fhir/ValueSet/$expand').set('Content-Type', 'application/json').send({ resourceType: 'ValueSet' });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.issue[0].details.text, 'Expected a Parameters resource as the operation body, found ValueSet');
  const arr = await request(app).post('/fhir/ValueSet/$expand').set('Content-Type', 'application/json').send('[1,2]');
  assert.equal(arr.status, 400);
});

test('unknown parameter value types and nameless parameters → 400 with the element path', async () => {
  const { app } = buildTestApp({ operations: echoTable([]) });
  const res = await request(app).post('/fhir/ValueSet/$expand').set('Content-Type', 'application/fhir+json')
    .send({ resourceType: 'Parameters', parameter: [{ name: 'url', valueUri: 'http://x' }, { name: 'count', valueWhatever: 3 }] });
  assert.equal(res.status, 400);
  assert.deepEqual(res.body.issue[0], {
    severity: 'error', code: 'structure', details: { text: "Unknown element 'valueWhatever' in parameter 'count'" },
    location: ['Parameters.parameter[1].valueWhatever'], expression: ['Parameters.parameter[1].valueWhatever'],
  });
  const nameless = await request(app).post('/fhir/ValueSet/$expand').set('Content-Type', 'application/fhir+json')
    .send({ resourceType: 'Parameters', parameter: [{ valueString: 'x' }] });
  assert.equal(nameless.status, 400);
  assert.equal(nameless.body.issue[0].code, 'required');
});

test('oversize body → 413 OperationOutcome (configurable limit)', async () => {
  const { app } = buildTestApp({ operations: echoTable([]), config: (c) => { c.http.maxBodyBytes = 2048; } });
  const big = JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'filter', valueString: 'x'.repeat(4096) }] });
  const res = await request(app).post('/fhir/ValueSet/$expand').set('Content-Type', 'application/fhir+json').send(big);
  assert.equal(res.status, 413);
  assert.deepEqual(res.body, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'too-long', details: { text: 'Request body exceeds the limit of 2048 bytes' } }] });
});

test('unknown operation → 400 not-supported; unknown resource type → 404', async () => {
  const { app } = buildTestApp({ operations: echoTable([]) });
  const op = await request(app).get('/fhir/ValueSet/$frobnicate');
  assert.equal(op.status, 400);
  assert.equal(op.body.issue[0].code, 'not-supported');
  assert.equal(op.body.issue[0].details.text, 'Operation $frobnicate is not supported on ValueSet');
  const type = await request(app).get('/fhir/Patient/$expand');
  assert.equal(type.status, 404);
  assert.equal(type.body.issue[0].details.text, "Resource type 'Patient' is not supported by this server");
  const outside = await request(app).get('/nothing-here');
  assert.equal(outside.status, 404);
  assert.equal(outside.body.resourceType, 'OperationOutcome');
});

test('HEAD answers headers without a body; X-Request-Id is echoed', async () => {
  const { app } = buildTestApp({ operations: echoTable([]) });
  const head = await request(app).head('/fhir/$versions').set('X-Request-Id', 'txTests:metadata/1');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-type'], 'application/fhir+json; charset=utf-8');
  assert.equal(head.headers['x-request-id'], 'txTests:metadata/1');
  assert.equal(head.text, undefined);
});
