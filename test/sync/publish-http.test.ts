/**
 * The publishing endpoints over HTTP, mounted into the real app through AppDeps.routers the way
 * main.ts wires them: releases (admin only), package download (by release and registry style),
 * single files, the Atom feed, and ConceptMap submission with row-level validation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { Express } from 'express';
import type { ConceptMap, OperationOutcome } from 'fhir/r4';
import { defaultConfig } from '../../src/config.js';
import { createApp } from '../../src/fhir/app.js';
import { bearerAuthorizer } from '../../src/fhir/publish/auth.js';
import { createPublishRouter } from '../../src/fhir/publish/router.js';
import { silentLogger } from '../../src/logger.js';
import { hasLocalTag } from '../../src/sync/origin.js';
import { PublishingService } from '../../src/sync/publishing.js';
import { ReleaseService } from '../../src/sync/release.js';
import { createSubmissionService, type ValidateCode } from '../../src/sync/submit.js';
import { readTgz } from '../../src/sync/tar.js';
import { sha256Hex } from '../../src/sync/hash.js';
import { allItemsVs, BASE, EXAM_URL, examItem, hospitalMap, ITEMS_V1, modalityCs, standardMap } from './fixtures.js';
import { putAll, tempStore, type TempStore } from './helpers.js';
import { MapRegistry } from './servers.js';

const TOKEN = 'test-admin-token';
const AUTH = { Authorization: `Bearer ${TOKEN}` };

/** The standard's codes as the engine would judge them (the route gets validateCode injected). */
const validateCode: ValidateCode = async (system, code) => {
  if (system !== EXAM_URL) return { ok: false, message: `unknown code system ${system}` };
  return ITEMS_V1.some((i) => i.code === code) ? { ok: true } : { ok: false, message: `Unknown code '${code}' in ${EXAM_URL}` };
};

function buildApp(t: TempStore, adminToken: string | undefined): { app: Express; written: string[] } {
  const written: string[] = [];
  const releases = new ReleaseService({ store: t.store, canonicalBase: BASE, packageName: 'rimag.imaging.terminology' });
  const router = createPublishRouter({
    publisher: new PublishingService(releases),
    submissions: createSubmissionService({ validateCode, store: t.store, standardBase: BASE, onWritten: (v) => written.push(`${v.resourceType}/${v.id}`) }),
    authorize: bearerAuthorizer(adminToken, t.store.audit),
    audit: t.store.audit,
    publicBaseUrl: 'http://tx.test/fhir',
  });
  const config = defaultConfig();
  const app = createApp({ operations: {}, registry: new MapRegistry(), store: t.store, config, logger: silentLogger, routers: [router] });
  return { app, written };
}

describe('publishing endpoints', () => {
  let t: TempStore;
  let app: Express;
  let written: string[];
  before(async () => {
    t = await tempStore();
    await putAll(t.store, [examItem('V3.8.2', ITEMS_V1), modalityCs(), allItemsVs(), standardMap()]);
    ({ app, written } = buildApp(t, TOKEN));
  });
  after(() => t.close());

  test('creating a release needs the admin bearer token', async () => {
    const none = await request(app).post('/fhir/$release').send({ resourceType: 'Parameters', parameter: [{ name: 'name', valueString: 'V3.8.2' }] }).set('Content-Type', 'application/fhir+json');
    assert.equal(none.status, 401);
    assert.equal((none.body as OperationOutcome).issue[0]?.code, 'login');
    const wrong = await request(app).post('/fhir/$release').set('Authorization', 'Bearer nope').set('Content-Type', 'application/fhir+json').send({ resourceType: 'Parameters', parameter: [{ name: 'name', valueString: 'V3.8.2' }] });
    assert.equal(wrong.status, 403);
    const denied = await t.store.audit.list({ action: 'denied' });
    assert.ok(denied.length >= 2, 'refusals are audited');

    const ok = await request(app).post('/fhir/$release').set(AUTH).set('Content-Type', 'application/fhir+json').send({ resourceType: 'Parameters', parameter: [{ name: 'name', valueString: 'V3.8.2' }] });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.headers.location, 'http://tx.test/fhir/$release?name=V3.8.2');
    assert.equal(ok.body.packageVersion, '3.8.2');
    assert.equal(ok.body.resources.length, 4);
    const again = await request(app).post('/fhir/$release').set(AUTH).set('Content-Type', 'application/fhir+json').send({ resourceType: 'Parameters', parameter: [{ name: 'name', valueString: 'V3.8.2' }] });
    assert.equal(again.status, 409);
  });

  test('releases are listed and readable with their change report', async () => {
    const list = await request(app).get('/fhir/$release');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.releases.map((r: { name: string }) => r.name), ['V3.8.2']);
    const one = await request(app).get('/fhir/$release?name=V3.8.2');
    assert.equal(one.body.changes.examItems.added.length, ITEMS_V1.length);
    assert.equal((await request(app).get('/fhir/$release?name=V9')).status, 404);
  });

  test('the package downloads by release name and registry-style, identical bytes', async () => {
    const byRelease = await request(app).get('/fhir/$package?release=V3.8.2').buffer(true).parse(binary);
    assert.equal(byRelease.status, 200);
    assert.equal(byRelease.headers['content-type'], 'application/gzip');
    assert.match(byRelease.headers['content-disposition'] ?? '', /rimag\.imaging\.terminology-3\.8\.2\.tgz/);
    const byVersion = await request(app).get('/fhir/packages/rimag.imaging.terminology/3.8.2').buffer(true).parse(binary);
    assert.deepEqual(byVersion.body, byRelease.body);
    const names = readTgz(byRelease.body as Buffer).map((e) => e.name);
    assert.ok(names.includes('package/package.json') && names.includes('package/.index.json') && names.includes('package/CodeSystem-exam-item.json'));

    const meta = await request(app).get('/fhir/packages/rimag.imaging.terminology');
    assert.equal(meta.body['dist-tags'].latest, '3.8.2');
    assert.equal(meta.body.versions['3.8.2'].dist.tarball, 'http://tx.test/fhir/packages/rimag.imaging.terminology/3.8.2');
    assert.equal((await request(app).get('/fhir/packages/other.package')).status, 404);
    assert.equal((await request(app).get('/fhir/$package')).status, 400);
  });

  test('feed links resolve to bytes with the advertised length and hash', async () => {
    const feed = await request(app).get('/fhir/syndication.xml');
    assert.equal(feed.status, 200);
    assert.match(feed.headers['content-type'] ?? '', /application\/atom\+xml/);
    const links = [...feed.text.matchAll(/<link rel="alternate" type="[^"]+" href="http:\/\/tx\.test(\/fhir\/[^"]+)" length="(\d+)" ncts:sha256Hash="([0-9a-f]{64})"/g)];
    assert.equal(links.length, 5, '4 resources + 1 package');
    for (const [, path, length, hash] of links) {
      const res = await request(app).get(path!).buffer(true).parse(binary);
      assert.equal(res.status, 200, path);
      assert.equal((res.body as Buffer).length, Number(length));
      assert.equal(sha256Hex(res.body as Buffer), hash);
    }
  });

  test('a ConceptMap submission with bad target codes is refused with the bad rows listed', async () => {
    const cm: ConceptMap = hospitalMap('hospital-b-map', [
      ['B01', '20010101000000'],
      ['B02', '99999999999999'],
      ['B03', '20030101000000'],
      ['B04', 'XYZ'],
    ]);
    const res = await request(app).post('/fhir/ConceptMap/$submit').set(AUTH).set('Content-Type', 'application/fhir+json').send(cm);
    assert.equal(res.status, 422);
    const oo = res.body as OperationOutcome;
    assert.equal(oo.resourceType, 'OperationOutcome');
    assert.deepEqual(oo.issue.map((i) => i.expression?.[0]), ['ConceptMap.group[0].element[1].target[0].code', 'ConceptMap.group[0].element[3].target[0].code']);
    assert.match(oo.issue[0]!.details!.text!, /group 0, element 1, target 0: source 'B02' → target '99999999999999': Unknown code '99999999999999'/);
    assert.equal(await t.store.resources.read('ConceptMap', 'hospital-b-map'), undefined, 'nothing stored');
  });

  test('a valid submission is stored tagged local, re-indexed and audited', async () => {
    const cm = hospitalMap('hospital-c-map', [['C01', '20010701111100']]);
    const unauth = await request(app).post('/fhir/ConceptMap/$submit').set('Content-Type', 'application/fhir+json').send(cm);
    assert.equal(unauth.status, 401);
    const res = await request(app)
      .post('/fhir/ConceptMap/$submit')
      .set(AUTH)
      .set('Content-Type', 'application/fhir+json')
      .send({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: cm }] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.headers.location, 'http://tx.test/fhir/ConceptMap/hospital-c-map/_history/1');
    const stored = await t.store.resources.read('ConceptMap', 'hospital-c-map');
    assert.ok(stored && hasLocalTag(stored.resource));
    assert.deepEqual(written, ['ConceptMap/hospital-c-map']);
    const audit = await t.store.audit.list({ action: 'conceptmap.submit' });
    assert.deepEqual(audit.map((a) => a.outcome).sort(), ['failure', 'success']);
  });

  test('a submission may neither claim the standard\'s canonical base nor replace a standard resource', async () => {
    const underBase = { ...hospitalMap('hospital-d-map'), url: `${BASE}/ConceptMap/hospital-d-map` };
    const res = await request(app).post('/fhir/ConceptMap/$submit').set(AUTH).set('Content-Type', 'application/fhir+json').send(underBase);
    assert.equal(res.status, 422);
    assert.match((res.body as OperationOutcome).issue[0]!.details!.text!, /under the standard's canonical base/);
    const clash = await request(app).post('/fhir/ConceptMap/$submit').set(AUTH).set('Content-Type', 'application/fhir+json').send(hospitalMap('device-type-to-dicom'));
    assert.equal(clash.status, 409);
    const std = await t.store.resources.read('ConceptMap', 'device-type-to-dicom');
    assert.equal(std?.versionId, 1, 'the standard map is untouched');
    // Resubmitting one's own local map is an update.
    const again = await request(app).post('/fhir/ConceptMap/$submit').set(AUTH).set('Content-Type', 'application/fhir+json').send(hospitalMap('hospital-c-map', [['C02', '20010701111100']]));
    assert.equal(again.status, 201);
    assert.equal(again.headers.location, 'http://tx.test/fhir/ConceptMap/hospital-c-map/_history/2');
  });

  test('without ADMIN_TOKEN the protected endpoints are refused', async () => {
    const { app: closed } = buildApp(t, undefined);
    const res = await request(closed).post('/fhir/ConceptMap/$submit').set(AUTH).set('Content-Type', 'application/fhir+json').send(hospitalMap());
    assert.equal(res.status, 403);
    assert.match((res.body as OperationOutcome).issue[0]!.details!.text!, /no ADMIN_TOKEN/);
  });
});

/** supertest body parser that keeps the raw bytes (packages, files). */
const binary = ((res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void): void => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}) as unknown as (res: request.Response, callback: (err: Error | null, body: unknown) => void) => void;
