import { test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { createHl7AdminRouter, type Hl7AdminApi } from '../../src/fhir/admin/hl7-routes.js';
import { ForbiddenError } from '../../src/errors.js';
import type { AuditInput } from '../../src/store/store.js';
import { frame, orm, RawSender, waitFor } from './helpers.js';
import { startFixture } from './gateway-fixture.js';

const TOKEN = 'secret-token';
const authorize = async ({ authorization }: { authorization?: string }) => {
  if (!authorization) throw new ForbiddenError('requires Authorization: Bearer <token>', 401);
  if (authorization !== `Bearer ${TOKEN}`) throw new ForbiddenError('bad token', 403);
  return 'admin';
};

test('admin routes: bearer required; stats, list, detail, replay, release, unmapped; actions audited', async () => {
  const f = await startFixture({ listener: { unmappedPolicy: 'hold' } });
  const audited: AuditInput[] = [];
  const admin: Hl7AdminApi = f.gateway.admin;
  const app = express().use(createHl7AdminRouter({ admin, authorize, audit: { append: async (a) => audited.push(a) } }));
  const auth = { Authorization: `Bearer ${TOKEN}` };
  try {
    const s = await RawSender.connect(f.port);
    s.write(Buffer.concat([frame(orm('A1')), frame(orm('A2', { obrs: [['LOCAL9', '未知检查']] }))]));
    await s.replies(2);
    await waitFor(() => f.downstream.received.length === 1);

    assert.equal((await request(app).get('/admin/hl7/stats')).status, 401);
    assert.equal((await request(app).get('/admin/hl7/stats').set('Authorization', 'Bearer nope')).status, 403);
    const denied = await request(app).post('/admin/hl7/release').send({});
    assert.equal(denied.status, 401);
    assert.equal(denied.body.resourceType, 'OperationOutcome');
    assert.equal(f.downstream.received.length, 1, 'a refused release changed nothing');

    await waitFor(async () => (await request(app).get('/admin/hl7/stats').set(auth)).body.forwarded === 1);
    const stats = (await request(app).get('/admin/hl7/stats').set(auth)).body;
    assert.equal(stats.received, 2);
    assert.equal(stats.held, 1);
    assert.equal(stats.heldNow, 1);
    assert.equal(stats.unmapped, 1);
    assert.equal(stats.queueDepth, 0);
    assert.equal(stats.routes[0].route, 'ris');

    const list = (await request(app).get('/admin/hl7/messages?state=held').set(auth)).body;
    assert.deepEqual(list.map((m: { controlId: string }) => m.controlId), ['A2']);
    assert.equal((await request(app).get('/admin/hl7/messages?state=bogus').set(auth)).status, 400);
    const detail = (await request(app).get(`/admin/hl7/messages/${list[0].id}?body=true`).set(auth)).body;
    assert.match(detail.inbound, /LOCAL9\^未知检查/);
    assert.equal((await request(app).get('/admin/hl7/messages/999').set(auth)).status, 404);

    const unmapped = (await request(app).get('/admin/hl7/unmapped').set(auth)).body;
    assert.deepEqual(unmapped.map((u: { code: string; count: number }) => [u.code, u.count]), [['LOCAL9', 1]]);

    const rel = await request(app).post('/admin/hl7/release').set(auth).send({ route: 'ris' });
    assert.equal(rel.status, 200);
    assert.deepEqual(rel.body.released, [{ id: list[0].id, stillUnmapped: 1 }]);
    await waitFor(() => f.downstream.received.length === 2);

    const delivered = (await request(app).get('/admin/hl7/messages?state=delivered').set(auth)).body;
    assert.equal(delivered.length, 2);
    const rep = await request(app).post(`/admin/hl7/messages/${delivered[0].id}/replay`).set(auth);
    assert.deepEqual(rep.body.replayed, [delivered[0].id]);
    await waitFor(() => f.downstream.received.length === 3);
    assert.deepEqual(f.downstream.controlIds(), ['A1', 'A2', 'A1']);

    const range = await request(app).post('/admin/hl7/replay').set(auth).send({ route: 'ris', from: new Date(Date.now() - 60_000).toISOString() });
    assert.equal(range.body.replayed.length, 2);
    await waitFor(() => f.downstream.received.length === 5);
    assert.equal((await request(app).post('/admin/hl7/replay').set(auth).send({})).status, 400);

    assert.deepEqual(audited.map((a) => [a.action, a.outcome]), [['hl7.release', 'success'], ['hl7.replay', 'success'], ['hl7.replay', 'success'], ['hl7.replay', 'failure']]);
    s.close();
  } finally {
    await f.stop();
  }
});

test('admin routes work with the server bearer authorizer (no ADMIN_TOKEN → 403, token → 200)', async () => {
  const { bearerAuthorizer } = await import('../../src/fhir/publish/auth.js');
  const f = await startFixture();
  try {
    const off = express().use(createHl7AdminRouter({ admin: f.gateway.admin, authorize: bearerAuthorizer(undefined) }));
    assert.equal((await request(off).get('/admin/hl7/stats').set('Authorization', 'Bearer x')).status, 403);
    const on = express().use(createHl7AdminRouter({ admin: f.gateway.admin, authorize: bearerAuthorizer('tok') }));
    assert.equal((await request(on).get('/admin/hl7/stats')).status, 401);
    assert.equal((await request(on).get('/admin/hl7/stats').set('Authorization', 'Bearer tok')).status, 200);
  } finally {
    await f.stop();
  }
});
