import { test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Resource } from 'fhir/r4';
import { UnavailableError } from '../../src/errors.js';
import { buildTestApp } from './helpers.js';
import { codeSystem, conceptMap, valueSet } from './fixtures.js';

async function seeded() {
  const t = buildTestApp();
  let clock = Date.parse('2026-01-01T00:00:00.000Z');
  t.store.resources.now = () => new Date((clock += 60_000)).toISOString();
  const put = (r: Resource & { id: string }) => t.store.resources.put(r);
  for (let i = 1; i <= 7; i++) {
    await put({ ...codeSystem({ url: `http://example.org/cs/${i}`, name: `System${i}`, title: i % 2 ? `颅脑 系统 ${i}` : `Chest ${i}`, status: i === 7 ? 'retired' : 'active' }), id: `cs-${i}` });
  }
  await put({ ...valueSet(), id: 'vs-1' });
  await put({ ...conceptMap(), id: 'cm-1' });
  return t;
}

test('read returns the current version with ETag and Last-Modified; unknown id → 404; unknown type → 404', async () => {
  const { app } = await seeded();
  const res = await request(app).get('/fhir/CodeSystem/cs-2');
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/fhir+json; charset=utf-8');
  assert.equal(res.headers.etag, 'W/"1"');
  assert.equal(res.headers['last-modified'], 'Thu, 01 Jan 2026 00:02:00 GMT');
  assert.equal(res.body.meta.versionId, '1');
  const missing = await request(app).get('/fhir/CodeSystem/nope');
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.body, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', details: { text: 'CodeSystem/nope is not known' } }] });
  const type = await request(app).get('/fhir/Patient/1');
  assert.equal(type.status, 404);
  assert.equal(type.body.issue[0].code, 'not-supported');
  assert.equal((await request(app).get('/fhir/CodeSystem/cs-2/_history/x')).status, 400);
});

test('search: searchset with total, fullUrl, search.mode; url/name/title/status/_id criteria', async () => {
  const { app } = await seeded();
  const byUrl = await request(app).get('/fhir/CodeSystem?url=http://example.org/cs/3');
  assert.equal(byUrl.status, 200);
  assert.equal(byUrl.body.resourceType, 'Bundle');
  assert.equal(byUrl.body.type, 'searchset');
  assert.equal(byUrl.body.total, 1);
  assert.equal(byUrl.body.entry[0].fullUrl, 'http://tx.test/fhir/CodeSystem/cs-3');
  assert.deepEqual(byUrl.body.entry[0].search, { mode: 'match' });
  const ids = async (q: string) => ((await request(app).get(`/fhir/CodeSystem?${q}`)).body.entry ?? []).map((e: { resource: { id: string } }) => e.resource.id);
  assert.deepEqual(await ids('name=system1'), ['cs-1']); // case-insensitive starts-with
  assert.deepEqual(await ids('name:exact=system1'), []);
  assert.deepEqual(await ids(`title:contains=${encodeURIComponent('系统')}`), ['cs-1', 'cs-3', 'cs-5', 'cs-7']);
  assert.deepEqual(await ids('status=retired'), ['cs-7']);
  assert.deepEqual(await ids('_id=cs-1,cs-2'), ['cs-1', 'cs-2']);
  assert.deepEqual(await ids('status=active&title=chest'), ['cs-2', 'cs-4', 'cs-6']);
  assert.deepEqual(await ids('_sort=-name&_count=2'), ['cs-7', 'cs-6']);
  assert.deepEqual(await ids('_lastUpdated=ge2026-01-01T00:06:00Z'), ['cs-6', 'cs-7']);
  assert.deepEqual(await ids('_lastUpdated=lt2026-01-01T00:02:00Z'), ['cs-1']);
  assert.equal((await request(app).get('/fhir/CodeSystem?_lastUpdated=gt2026-13')).status, 400);
});

test('ConceptMap source/target and ValueSet reference search', async () => {
  const { app } = await seeded();
  const cm = await request(app).get('/fhir/ConceptMap?source=http://example.org/vs/local&target=http://example.org/vs/body-site');
  assert.equal(cm.body.total, 1);
  assert.equal((await request(app).get('/fhir/ConceptMap?target=http://example.org/vs/other')).body.total, 0);
  assert.equal((await request(app).get('/fhir/ConceptMap?target-system=http://example.org/cs/body-site')).body.total, 1);
  assert.equal((await request(app).get('/fhir/ValueSet?reference=http://example.org/cs/body-site')).body.total, 1);
});

test('paging: stable offsets with self/first/previous/next/last links', async () => {
  const { app } = await seeded();
  const p1 = await request(app).get('/fhir/CodeSystem?status=active&_count=2');
  assert.equal(p1.body.total, 6);
  const link = (b: { link: Array<{ relation: string; url: string }> }, rel: string) => b.link.find((l) => l.relation === rel)?.url;
  assert.equal(link(p1.body, 'self'), 'http://tx.test/fhir/CodeSystem?status=active&_count=2&_offset=0');
  assert.equal(link(p1.body, 'next'), 'http://tx.test/fhir/CodeSystem?status=active&_count=2&_offset=2');
  assert.equal(link(p1.body, 'previous'), undefined);
  assert.equal(link(p1.body, 'last'), 'http://tx.test/fhir/CodeSystem?status=active&_count=2&_offset=4');
  const p2 = await request(app).get(new URL(link(p1.body, 'next')!).pathname + new URL(link(p1.body, 'next')!).search);
  assert.deepEqual(p2.body.entry.map((e: { resource: { id: string } }) => e.resource.id), ['cs-3', 'cs-4']);
  assert.equal(link(p2.body, 'previous'), 'http://tx.test/fhir/CodeSystem?status=active&_count=2&_offset=0');
  const p3 = await request(app).get('/fhir/CodeSystem?status=active&_count=2&_offset=4');
  assert.equal(link(p3.body, 'next'), undefined);
  assert.equal((await request(app).get('/fhir/CodeSystem?_count=-1')).status, 400);
});

test('_summary (true/count/data) and _elements subset resources and tag them SUBSETTED', async () => {
  const { app } = await seeded();
  const count = await request(app).get('/fhir/CodeSystem?_summary=count');
  assert.equal(count.body.total, 7);
  assert.equal(count.body.entry, undefined);
  const summary = await request(app).get('/fhir/CodeSystem?_id=cs-1&_summary=true');
  const r = summary.body.entry[0].resource;
  assert.equal(r.concept, undefined);
  assert.equal(r.url, 'http://example.org/cs/1');
  assert.equal(r.content, 'complete');
  assert.deepEqual(r.meta.tag, [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' }]);
  const data = await request(app).get('/fhir/CodeSystem/cs-1?_summary=data');
  assert.equal(data.body.concept.length, 2);
  const el = await request(app).get('/fhir/CodeSystem?_id=cs-1&_elements=url,version');
  assert.deepEqual(Object.keys(el.body.entry[0].resource).sort(), ['content', 'id', 'meta', 'resourceType', 'status', 'url', 'version']);
  assert.equal((await request(app).get('/fhir/CodeSystem?_summary=maybe')).status, 400);
});

test('unknown search parameters are reported in an outcome entry, or 400 with Prefer: handling=strict', async () => {
  const { app } = await seeded();
  const lenient = await request(app).get('/fhir/ValueSet?foo=bar');
  assert.equal(lenient.status, 200);
  const outcome = lenient.body.entry.at(-1);
  assert.deepEqual(outcome.search, { mode: 'outcome' });
  assert.equal(outcome.resource.issue[0].details.text, 'Search parameter(s) ignored: foo');
  assert.ok(!lenient.body.link[0].url.includes('foo'));
  const strict = await request(app).get('/fhir/ValueSet?foo=bar').set('Prefer', 'handling=strict');
  assert.equal(strict.status, 400);
  assert.equal((await request(app).get('/fhir/ValueSet?name:sounds=x')).status, 400);
});

test('_history: system and type level, newest first, _since, _count with cursor next links', async () => {
  const { app, store } = await seeded();
  await store.resources.put({ ...codeSystem({ title: 'edited' }), id: 'cs-1' });
  const sys = await request(app).get('/fhir/_history?_count=4');
  assert.equal(sys.body.type, 'history');
  assert.equal(sys.body.total, 10);
  const ids = (b: { entry?: Array<{ fullUrl: string; response: { etag: string } }> }) => (b.entry ?? []).map((e) => `${e.fullUrl.replace('http://tx.test/fhir/', '')}@${e.response.etag}`);
  assert.deepEqual(ids(sys.body), ['CodeSystem/cs-1@W/"2"', 'ConceptMap/cm-1@W/"1"', 'ValueSet/vs-1@W/"1"', 'CodeSystem/cs-7@W/"1"']);
  const next = sys.body.link.find((l: { relation: string }) => l.relation === 'next').url as string;
  assert.equal(next, 'http://tx.test/fhir/_history?_count=4&_cursor=7');
  // A write between pages must not shift the next page.
  await store.resources.put({ ...codeSystem({ title: 'edited again' }), id: 'cs-2' });
  const page2 = await request(app).get(next.replace('http://tx.test', ''));
  assert.deepEqual(ids(page2.body), ['CodeSystem/cs-6@W/"1"', 'CodeSystem/cs-5@W/"1"', 'CodeSystem/cs-4@W/"1"', 'CodeSystem/cs-3@W/"1"']);
  const type = await request(app).get('/fhir/CodeSystem/_history?_since=2026-01-01T00:06:00Z');
  assert.deepEqual(ids(type.body), ['CodeSystem/cs-2@W/"2"', 'CodeSystem/cs-1@W/"2"', 'CodeSystem/cs-7@W/"1"', 'CodeSystem/cs-6@W/"1"']);
  const asc = await request(app).get('/fhir/_history?_sort=_lastUpdated&_count=2&_since=2026-01-01T00:08:00Z');
  assert.deepEqual(ids(asc.body), ['ValueSet/vs-1@W/"1"', 'ConceptMap/cm-1@W/"1"']);
  assert.equal(asc.body.link.find((l: { relation: string }) => l.relation === 'next').url, 'http://tx.test/fhir/_history?_sort=_lastUpdated&_since=2026-01-01T00%3A08%3A00Z&_count=2&_cursor=9');
  const inst = await request(app).get('/fhir/CodeSystem/cs-1/_history');
  assert.equal(inst.body.total, 2);
  assert.equal((await request(app).get('/fhir/_history?_since=yesterday')).status, 400);
  assert.equal((await request(app).get('/fhir/_history?_sort=name')).status, 400);
});

test('method not allowed → 405 OperationOutcome; read-only types refuse writes', async () => {
  const { app } = await seeded();
  const res = await request(app).patch('/fhir/CodeSystem/cs-1').set('Content-Type', 'application/json').send('{}');
  assert.equal(res.status, 405);
  assert.equal(res.body.resourceType, 'OperationOutcome');
  assert.equal((await request(app).post('/fhir/OperationDefinition').set('Content-Type', 'application/json').send('{}')).status, 405);
  assert.equal((await request(app).post('/fhir/metadata')).status, 405);
});

test('database unavailable: read and search keep serving from memory, writes answer 503', async () => {
  const { app, store } = buildTestApp({ config: (c) => { c.adminToken = 't'; } });
  await store.resources.put({ ...codeSystem(), id: 'bs' });
  assert.equal((await request(app).get('/fhir/CodeSystem?_summary=count')).body.total, 1); // index loaded
  const down = () => Promise.reject(new UnavailableError('embedded database is closed'));
  store.resources.read = down;
  store.resources.put = down;
  const read = await request(app).get('/fhir/CodeSystem/bs');
  assert.equal(read.status, 200);
  assert.equal(read.body.id, 'bs');
  assert.equal((await request(app).get('/fhir/CodeSystem?url=http://example.org/cs/body-site')).body.total, 1);
  const write = await request(app).put('/fhir/CodeSystem/bs').set('Authorization', 'Bearer t').set('Content-Type', 'application/fhir+json').send({ ...codeSystem(), id: 'bs' });
  assert.equal(write.status, 503);
  assert.deepEqual(write.body.issue[0], { severity: 'error', code: 'transient', details: { text: 'embedded database is closed' } });
  assert.equal((await request(app).get('/fhir/CodeSystem/unknown')).status, 503);
});

test('conditional read with If-None-Match → 304; instance history of an unknown resource → 404', async () => {
  const { app } = await seeded();
  const first = await request(app).get('/fhir/CodeSystem/cs-1');
  const again = await request(app).get('/fhir/CodeSystem/cs-1').set('If-None-Match', first.headers.etag as string);
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  assert.equal((await request(app).get('/fhir/CodeSystem/cs-1').set('If-None-Match', 'W/"7"')).status, 200);
  const hist = await request(app).get('/fhir/CodeSystem/nope/_history');
  assert.equal(hist.status, 404);
  assert.equal(hist.body.resourceType, 'OperationOutcome');
});
