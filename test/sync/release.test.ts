import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CodeSystem } from 'fhir/r4';
import { diffCodeSystems } from '../../src/sync/changes.js';
import { buildNpmPackage } from '../../src/sync/npm-package.js';
import { ReleaseService } from '../../src/sync/release.js';
import { PublishingService } from '../../src/sync/publishing.js';
import { createTar, readTar, readTgz } from '../../src/sync/tar.js';
import { withLocalTag } from '../../src/sync/origin.js';
import { allItemsVs, BASE, examItem, hospitalMap, ITEMS_V1, ITEMS_V2, modalityCs, standardMap } from './fixtures.js';
import { putAll, putOne, tempStore, type TempStore } from './helpers.js';

describe('tar', () => {
  test('round-trips files, including long names split into the ustar prefix', () => {
    const long = `package/${'a'.repeat(90)}/${'b'.repeat(60)}.json`;
    const entries = [
      { name: 'package/package.json', data: Buffer.from('{"name":"x"}') },
      { name: long, data: Buffer.alloc(1500, 0x41) },
      { name: 'package/empty.json', data: Buffer.alloc(0) },
    ];
    const tar = createTar(entries, new Date('2026-01-02T03:04:05Z'));
    assert.equal(tar.length % 512, 0);
    const back = readTar(tar);
    assert.deepEqual(back.map((e) => e.name), entries.map((e) => e.name));
    assert.deepEqual(back[1]!.data, entries[1]!.data);
  });

  test('a corrupted header fails its checksum', () => {
    const tar = createTar([{ name: 'package/a.json', data: Buffer.from('{}') }], new Date());
    tar[0] = 0x5a;
    assert.throws(() => readTar(tar), /checksum/);
  });
});

describe('change report', () => {
  test('added, retired (removed or status) and renamed items between two versions', () => {
    const d = diffCodeSystems(examItem('V3.8.2', ITEMS_V1), examItem('V3.9.0', ITEMS_V2));
    assert.equal(d.fromVersion, 'V3.8.2');
    assert.equal(d.toVersion, 'V3.9.0');
    assert.deepEqual(d.added, [{ code: '40010101000000', display: 'DR胸部正位' }]);
    assert.deepEqual(
      d.retired.map((r) => [r.code, r.reason]),
      [
        ['20010101000000', 'status'],
        ['30010101000000', 'removed'],
      ],
    );
    assert.deepEqual(d.renamed, [{ code: '20030101000000', display: 'CT胸部(平扫，低剂量)', previousDisplay: 'CT胸部(平扫)' }]);
  });

  test('nested concepts are compared too', () => {
    const a: CodeSystem = { resourceType: 'CodeSystem', url: 'u', status: 'active', content: 'complete', concept: [{ code: 'p', concept: [{ code: 'c', display: 'old' }] }] };
    const b: CodeSystem = { ...a, concept: [{ code: 'p', concept: [{ code: 'c', display: 'new' }, { code: 'd' }] }] };
    const d = diffCodeSystems(a, b);
    assert.deepEqual(d.added.map((x) => x.code), ['d']);
    assert.deepEqual(d.renamed.map((x) => x.code), ['c']);
  });
});

describe('releases', () => {
  let t: TempStore;
  let releases: ReleaseService;
  before(async () => {
    t = await tempStore();
    releases = new ReleaseService({ store: t.store, canonicalBase: BASE, packageName: 'rimag.imaging.terminology' });
    await putAll(t.store, [examItem('V3.8.2', ITEMS_V1), modalityCs(), allItemsVs(), standardMap(), hospitalMap(), withLocalTag({ ...standardMap(), id: 'local-copy', url: `${BASE}/ConceptMap/local-copy` })]);
  });
  after(() => t.close());

  test('the first release pins every standard resource and nothing local', async () => {
    const m = await releases.create({ name: 'V3.8.2', actor: 'admin', now: new Date('2026-11-01T00:00:00Z') });
    assert.equal(m.packageVersion, '3.8.2');
    assert.deepEqual(
      m.resources.map((r) => `${r.resourceType}/${r.id}`),
      ['CodeSystem/exam-item', 'CodeSystem/modality', 'ConceptMap/device-type-to-dicom', 'ValueSet/exam-item-all'],
    );
    assert.equal(m.previous, undefined);
    assert.equal(m.changes.examItems?.added.length, ITEMS_V1.length, 'no baseline: every item is new');
    assert.equal(m.changes.resourcesAdded.length, 4);
    assert.deepEqual(await releases.listNames(), ['V3.8.2']);
  });

  test('names are unique and must be SemVer-able', async () => {
    await assert.rejects(releases.create({ name: 'V3.8.2', actor: 'admin' }), /already exists/);
    await assert.rejects(releases.create({ name: 'spring', actor: 'admin' }), /not SemVer/);
    await assert.rejects(releases.create({ name: '../etc', actor: 'admin' }), /must match/);
  });

  test('the next release reports added, retired and renamed items against the previous one', async () => {
    // A newer exam-item version alongside the old one: the release takes the newest per url.
    await putAll(t.store, [examItem('V3.9.0', ITEMS_V2, 'exam-item-v3.9.0')]);
    const m = await releases.create({ name: 'V3.9.0', actor: 'admin', now: new Date('2026-11-02T00:00:00Z') });
    assert.equal(m.previous, 'V3.8.2');
    const exam = m.resources.filter((r) => r.url.endsWith('/exam-item'));
    assert.deepEqual(exam.map((r) => [r.id, r.version]), [['exam-item-v3.9.0', 'V3.9.0']]);
    assert.deepEqual(m.changes.examItems?.added.map((c) => c.code), ['40010101000000']);
    assert.deepEqual(m.changes.examItems?.retired.map((c) => c.code), ['20010101000000', '30010101000000']);
    assert.deepEqual(m.changes.examItems?.renamed.map((c) => c.code), ['20030101000000']);
    assert.deepEqual(m.changes.resourcesChanged, [`${BASE}/CodeSystem/exam-item|V3.9.0`]);
    assert.deepEqual(m.changes.resourcesAdded, []);
    const list = await releases.list();
    assert.deepEqual(list.map((r) => [r.name, r.added, r.retired, r.renamed]), [
      ['V3.8.2', 4, 0, 0],
      ['V3.9.0', 1, 2, 1],
    ]);
  });

  test('a release keeps its pinned versions after the resources change again', async () => {
    await putOne(t.store, { ...modalityCs(), title: 'changed later' });
    const m = (await releases.get('V3.8.2'))!;
    const resources = await releases.loadResources(m);
    const modality = resources.find((r) => r.id === 'modality') as CodeSystem;
    assert.equal(modality.title, undefined);
  });

  test('the package has package.json, an index-version 2 .index.json and one file per resource', async () => {
    const m = (await releases.get('V3.8.2'))!;
    const pkg = buildNpmPackage(m, await releases.loadResources(m));
    const files = new Map(readTgz(pkg.tgz).map((e) => [e.name, e.data]));
    const manifest = JSON.parse(files.get('package/package.json')!.toString()) as Record<string, unknown>;
    assert.equal(manifest.name, 'rimag.imaging.terminology');
    assert.equal(manifest.version, '3.8.2');
    assert.deepEqual(manifest.fhirVersions, ['4.0.1']);
    assert.deepEqual(manifest.dependencies, { 'hl7.fhir.r4.core': '4.0.1' });
    assert.equal(manifest.canonical, BASE);
    const index = JSON.parse(files.get('package/.index.json')!.toString()) as { 'index-version': number; files: Array<Record<string, string>> };
    assert.equal(index['index-version'], 2);
    assert.equal(index.files.length, 4);
    for (const row of index.files) {
      const body = JSON.parse(files.get(`package/${row.filename}`)!.toString()) as Record<string, unknown>;
      assert.equal(body.resourceType, row.resourceType);
      assert.equal(body.id, row.id);
      assert.equal(body.url, row.url);
      assert.equal(body.version, row.version);
    }
    assert.equal(index.files.find((f) => f.id === 'exam-item')?.content, 'complete');
    assert.ok(files.has('package/other/change-report.json'));
    // Reproducible: same release, same bytes.
    assert.deepEqual(buildNpmPackage(m, await releases.loadResources(m)).tgz, pkg.tgz);
  });

  test('the feed has one entry per resource version and per package, with verifiable links', async () => {
    const publisher = new PublishingService(releases);
    const xml = await publisher.renderFeed({ fhirBase: 'http://tx.test/fhir', feedUrl: 'http://tx.test/fhir/syndication.xml' });
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
    const entries = xml.split('<entry>').slice(1);
    // V3.8.2: 4 resources; V3.9.0 adds exam-item V3.9.0 (the other three are the same versions): 5 + 2 packages.
    assert.equal(entries.length, 7);
    const versions = [...xml.matchAll(/<ncts:contentItemVersion>([^<]+)</g)].map((m) => m[1]);
    assert.equal(new Set(versions).size, versions.length, 'contentItemVersion is unique per entry');
    assert.ok(versions.includes(`${BASE}/CodeSystem/exam-item|V3.9.0`));
    assert.ok(versions.includes(`${BASE}/CodeSystem/exam-item|V3.8.2`));
    const pkgEntry = entries.find((e) => e.includes('term="FHIR_Package"') && e.includes('>3.9.0<'))!;
    const { pkg } = (await publisher.getPackage({ release: 'V3.9.0' }))!;
    assert.ok(pkgEntry.includes(`length="${pkg.tgz.length}" ncts:sha256Hash="${pkg.sha256}"`));
    assert.ok(pkgEntry.includes('href="http://tx.test/fhir/packages/rimag.imaging.terminology/3.9.0"'));
    const csEntry = entries.find((e) => e.includes('exam-item|V3.9.0'))!;
    assert.match(csEntry, /<category term="FHIR_CodeSystem" label="FHIR CodeSystem" scheme="http:\/\/ns.electronichealth.net.au\/ncts\/syndication\/asf\/scheme\/1.0.0"\/>/);
    assert.match(csEntry, /rel="alternate" type="application\/fhir\+json" href="http:\/\/tx.test\/fhir\/packages\/rimag.imaging.terminology\/3.9.0\/CodeSystem-exam-item-v3.9.0.json" length="\d+" ncts:sha256Hash="[0-9a-f]{64}"/);
    assert.match(csEntry, /<ncts:fhirVersion>4.0.1<\/ncts:fhirVersion>/);
  });
});
