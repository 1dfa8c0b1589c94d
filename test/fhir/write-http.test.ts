import { test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTestApp } from './helpers.js';
import { codeSystem, conceptMap, valueSet } from './fixtures.js';

const TOKEN = 'test-admin-token';
const withToken = () => buildTestApp({ config: (c) => { c.adminToken = TOKEN; } });
const auth = { Authorization: `Bearer ${TOKEN}` };
const json = { 'Content-Type': 'application/fhir+json' };

test('writes are refused with 403 when no ADMIN_TOKEN is configured, and the refusal is audited', async () => {
  const { app, store } = buildTestApp();
  const res = await request(app).put('/fhir/CodeSystem/bs').set(json).set(auth).send({ ...codeSystem(), id: 'bs' });
  assert.equal(res.status, 403);
  assert.deepEqual(res.body, {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'forbidden', details: { text: 'update is disabled: this server has no ADMIN_TOKEN configured' } }],
  });
  assert.equal(store.resources.versions.length, 0);
  assert.equal(store.audit.records.length, 1);
  const rec = store.audit.records[0]!;
  assert.equal(rec.action, 'update');
  assert.equal(rec.outcome, 'denied');
  assert.equal(rec.entity, 'CodeSystem/bs');
  assert.equal(rec.actor, 'invalid-token');
  assert.ok(rec.clientAddress);
});

test('with ADMIN_TOKEN: missing token → 401 with WWW-Authenticate, wrong token → 401; both audited', async () => {
  const { app, store } = withToken();
  const none = await request(app).post('/fhir/CodeSystem').set(json).send(codeSystem());
  assert.equal(none.status, 401);
  assert.equal(none.headers['www-authenticate'], 'Bearer');
  assert.equal(none.body.issue[0].code, 'login');
  const wrong = await request(app).delete('/fhir/CodeSystem/x').set('Authorization', 'Bearer nope');
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.issue[0].details.text, 'Invalid bearer token');
  assert.deepEqual(store.audit.records.map((r) => [r.action, r.actor, r.outcome]), [['create', 'anonymous', 'denied'], ['delete', 'invalid-token', 'denied']]);
});

test('create assigns an id, returns 201 with Location/ETag, indexes the registry and audits', async () => {
  const { app, store, registry } = withToken();
  const res = await request(app).post('/fhir/CodeSystem').set(json).set(auth).send({ ...codeSystem(), id: 'ignored' });
  assert.equal(res.status, 201);
  const id = res.body.id as string;
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.equal(res.headers.location, `http://tx.test/fhir/CodeSystem/${id}/_history/1`);
  assert.equal(res.headers.etag, 'W/"1"');
  assert.equal(res.body.meta.versionId, '1');
  assert.equal(registry.added.length, 1);
  assert.equal(registry.added[0]!.id, id);
  const last = store.audit.records.at(-1)!;
  assert.deepEqual([last.action, last.actor, last.outcome, last.entity], ['create', 'admin', 'success', `CodeSystem/${id}/_history/1`]);
});

test('update: 201 then 200 with new versions; If-Match stale → 412; id mismatch → 400', async () => {
  const { app } = withToken();
  const first = await request(app).put('/fhir/CodeSystem/bs').set(json).set(auth).send({ ...codeSystem(), id: 'bs' });
  assert.equal(first.status, 201);
  const second = await request(app).put('/fhir/CodeSystem/bs').set(json).set(auth).set('If-Match', 'W/"1"').send({ ...codeSystem({ title: 'v2' }), id: 'bs' });
  assert.equal(second.status, 200);
  assert.equal(second.headers.etag, 'W/"2"');
  const stale = await request(app).put('/fhir/CodeSystem/bs').set(json).set(auth).set('If-Match', 'W/"1"').send({ ...codeSystem({ title: 'v3' }), id: 'bs' });
  assert.equal(stale.status, 412);
  assert.equal(stale.body.issue[0].code, 'conflict');
  const badIfMatch = await request(app).put('/fhir/CodeSystem/bs').set(json).set(auth).set('If-Match', 'banana').send({ ...codeSystem(), id: 'bs' });
  assert.equal(badIfMatch.status, 400);
  const mismatch = await request(app).put('/fhir/CodeSystem/bs').set(json).set(auth).send({ ...codeSystem(), id: 'other' });
  assert.equal(mismatch.status, 400);
  assert.equal(mismatch.body.issue[0].details.text, "The body's id 'other' does not match the URL id 'bs'");
  const wrongType = await request(app).put('/fhir/CodeSystem/bs').set(json).set(auth).send({ ...valueSet(), id: 'bs' });
  assert.equal(wrongType.status, 400);
});

test('conditional create (If-None-Exist): creates once, then returns the existing match with 200', async () => {
  const { app, store } = withToken();
  const cond = { 'If-None-Exist': 'url=http://example.org/cs/body-site&version=1.0.0' };
  const a = await request(app).post('/fhir/CodeSystem').set(json).set(auth).set(cond).send(codeSystem());
  assert.equal(a.status, 201);
  const b = await request(app).post('/fhir/CodeSystem').set(json).set(auth).set(cond).send(codeSystem());
  assert.equal(b.status, 200);
  assert.equal(b.body.id, a.body.id);
  assert.equal(store.resources.versions.length, 1);
  await request(app).post('/fhir/CodeSystem').set(json).set(auth).send(codeSystem());
  const many = await request(app).post('/fhir/CodeSystem').set(json).set(auth).set(cond).send(codeSystem());
  assert.equal(many.status, 412);
  assert.equal(many.body.issue[0].details.text, 'If-None-Exist matched 2 CodeSystem resources');
});

test('schema violations → 400 with one issue per element and FHIRPath expressions; the failure is audited', async () => {
  const { app, store } = withToken();
  const res = await request(app).put('/fhir/CodeSystem/bad').set(json).set(auth)
    .send({ ...codeSystem(), id: 'bad', status: 'final', concept: [{ code: 'a', colour: 'red' }] });
  assert.equal(res.status, 400);
  assert.deepEqual(res.body.issue, [
    { severity: 'error', code: 'structure', details: { text: 'CodeSystem.status must be one of draft, active, retired, unknown' }, location: ['CodeSystem.status'], expression: ['CodeSystem.status'] },
    { severity: 'error', code: 'structure', details: { text: 'CodeSystem.concept[0].colour is not a known element' }, location: ['CodeSystem.concept[0].colour'], expression: ['CodeSystem.concept[0].colour'] },
  ]);
  const last = store.audit.records.at(-1)!;
  assert.equal(last.outcome, 'failure');
  assert.match(last.detail ?? '', /^400 /);
});

test('semantic errors → 422: duplicate codes, unknown parent, circular value set inclusion', async () => {
  const { app } = withToken();
  const dup = await request(app).put('/fhir/CodeSystem/dup').set(json).set(auth).send({
    ...codeSystem(), id: 'dup',
    concept: [{ code: 'a', concept: [{ code: 'b' }] }, { code: 'b', property: [{ code: 'parent', valueCode: 'zz' }] }],
  });
  assert.equal(dup.status, 422);
  assert.deepEqual(dup.body.issue.map((i: { code: string; details: { text: string } }) => [i.code, i.details.text]), [
    ['duplicate', "Duplicate code 'b' (first defined at CodeSystem.concept[0].concept[0])"],
    ['business-rule', "Concept 'b' names parent 'zz', which is not a code in this code system"],
  ]);
  const a = await request(app).put('/fhir/ValueSet/a').set(json).set(auth).send({ ...valueSet({ url: 'http://x/vs/a', compose: { include: [{ valueSet: ['http://x/vs/b'] }] } }), id: 'a' });
  assert.equal(a.status, 201); // b is unknown yet: warning only
  assert.equal(a.body.resourceType, 'OperationOutcome');
  assert.equal(a.body.issue[0].details.text, "Value set 'http://x/vs/b' is not known to this server");
  const b = await request(app).put('/fhir/ValueSet/b').set(json).set(auth).send({ ...valueSet({ url: 'http://x/vs/b', compose: { include: [{ valueSet: ['http://x/vs/a'] }] } }), id: 'b' });
  assert.equal(b.status, 422);
  assert.equal(b.body.issue[0].details.text, 'Circular value set inclusion: http://x/vs/b → http://x/vs/a → http://x/vs/b');
});

test('a ValueSet including an unknown system is stored with a warning OperationOutcome (Prefer overrides)', async () => {
  const { app } = withToken();
  const res = await request(app).put('/fhir/ValueSet/u').set(json).set(auth).send({ ...valueSet({ compose: { include: [{ system: 'http://unknown.example/cs' }] } }), id: 'u' });
  assert.equal(res.status, 201);
  assert.deepEqual(res.body, {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'warning', code: 'not-found',
        details: { text: "Code system 'http://unknown.example/cs' is not known to this server; the value set cannot be expanded until it is loaded", coding: [{ system: 'http://hl7.org/fhir/tools/CodeSystem/tx-issue-type', code: 'not-found' }] },
        location: ['ValueSet.compose.include[0].system'], expression: ['ValueSet.compose.include[0].system'],
      },
      { severity: 'information', code: 'informational', details: { text: 'Created ValueSet/u/_history/1' } },
    ],
  });
  const rep = await request(app).put('/fhir/ValueSet/u').set(json).set(auth).set('Prefer', 'return=representation').send({ ...valueSet({ compose: { include: [{ system: 'http://unknown.example/cs' }] } }), id: 'u' });
  assert.equal(rep.status, 200);
  assert.equal(rep.body.resourceType, 'ValueSet');
  const min = await request(app).put('/fhir/ValueSet/u').set(json).set(auth).set('Prefer', 'return=minimal').send({ ...valueSet(), id: 'u' });
  assert.equal(min.status, 200);
  assert.equal(min.text, '');
});

test('delete keeps history: read → 410, vread of old version → 200, vread of tombstone → 410, history lists DELETE', async () => {
  const { app, registry } = withToken();
  await request(app).put('/fhir/ConceptMap/m').set(json).set(auth).send({ ...conceptMap(), id: 'm' });
  await request(app).put('/fhir/ConceptMap/m').set(json).set(auth).send({ ...conceptMap({ status: 'active' }), id: 'm' });
  const del = await request(app).delete('/fhir/ConceptMap/m').set(auth);
  assert.equal(del.status, 200);
  assert.equal(del.body.issue[0].details.text, 'Deleted ConceptMap/m; its history is kept (last version 2)');
  assert.deepEqual(registry.removed, ['ConceptMap/m']);
  assert.equal((await request(app).get('/fhir/ConceptMap/m')).status, 410);
  const v2 = await request(app).get('/fhir/ConceptMap/m/_history/2');
  assert.equal(v2.status, 200);
  assert.equal(v2.body.status, 'active');
  assert.equal((await request(app).get('/fhir/ConceptMap/m/_history/3')).status, 410);
  assert.equal((await request(app).get('/fhir/ConceptMap/m/_history/9')).status, 404);
  const hist = await request(app).get('/fhir/ConceptMap/m/_history');
  assert.equal(hist.status, 200);
  assert.equal(hist.body.type, 'history');
  assert.equal(hist.body.total, 3);
  assert.deepEqual(hist.body.entry.map((e: { request: unknown; response: { status: string; etag: string } }) => [e.request, e.response.status, e.response.etag]), [
    [{ method: 'DELETE', url: 'ConceptMap/m' }, '204 No Content', 'W/"3"'],
    [{ method: 'PUT', url: 'ConceptMap/m' }, '200 OK', 'W/"2"'],
    [{ method: 'POST', url: 'ConceptMap' }, '201 Created', 'W/"1"'],
  ]);
  assert.equal(hist.body.entry[0].resource, undefined);
  assert.equal(hist.body.entry[0].fullUrl, 'http://tx.test/fhir/ConceptMap/m');
  const again = await request(app).delete('/fhir/ConceptMap/m').set(auth);
  assert.equal(again.status, 200);
  assert.equal((await request(app).delete('/fhir/ConceptMap/never').set(auth)).status, 404);
});

test('AuditEvent: admin-only read and search by entity and date', async () => {
  const { app } = withToken();
  await request(app).put('/fhir/CodeSystem/bs').set(json).set(auth).send({ ...codeSystem(), id: 'bs' });
  await request(app).put('/fhir/ValueSet/vs').set(json).set(auth).send({ ...valueSet(), id: 'vs' });
  const denied = await request(app).get('/fhir/AuditEvent');
  assert.equal(denied.status, 401);
  const all = await request(app).get('/fhir/AuditEvent').set(auth);
  assert.equal(all.status, 200);
  assert.equal(all.body.total, 3); // two writes + the refused read
  const byEntity = await request(app).get('/fhir/AuditEvent?entity=CodeSystem/bs').set(auth);
  assert.equal(byEntity.body.total, 1);
  const ev = byEntity.body.entry[0].resource;
  assert.equal(ev.resourceType, 'AuditEvent');
  assert.deepEqual(ev.subtype, [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'update' }]);
  assert.equal(ev.action, 'U');
  assert.equal(ev.outcome, '0');
  assert.deepEqual(ev.entity[0], { what: { reference: 'CodeSystem/bs/_history/1' } });
  assert.equal(ev.agent[0].who.display, 'admin');
  const future = await request(app).get('/fhir/AuditEvent?date=gt2999-01-01').set(auth);
  assert.equal(future.body.total, 0);
  const today = new Date().toISOString().slice(0, 10);
  const ranged = await request(app).get(`/fhir/AuditEvent?date=ge${today}&date=lt2999`).set(auth);
  assert.equal(ranged.body.total, 3); // successful AuditEvent searches are not themselves audited; refusals are
  const one = await request(app).get(`/fhir/AuditEvent/${ev.id}`).set(auth);
  assert.equal(one.status, 200);
  assert.equal(one.body.id, ev.id);
  assert.equal((await request(app).get('/fhir/AuditEvent/99999').set(auth)).status, 404);
  assert.equal((await request(app).get('/fhir/AuditEvent?date=notadate').set(auth)).status, 400);
});
