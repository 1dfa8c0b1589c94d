/**
 * HAPI's FHIR package reader (ca.uhn.hapi.fhir:org.hl7.fhir.utilities, NpmPackage.fromPackage)
 * opens a release package built from the repository's content and lists its resources; the
 * listing must match what we put in. Needs Java and Maven (test/java/npm-package, dependencies
 * pre-fetched by .ci/setup-sync-peers.sh); skips with SKIP-PEER when either is missing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../src/config.js';
import { buildNpmPackage } from '../../src/sync/npm-package.js';
import { ReleaseService } from '../../src/sync/release.js';
import { PublishingService } from '../../src/sync/publishing.js';
import { NCTS_PROFILE, NCTS_SCHEME } from '../../src/sync/feed.js';
import { repoTerminology } from './content.js';
import { BASE } from './fixtures.js';
import { putAll, tempStore } from './helpers.js';

const PROJECT = join(REPO_ROOT, 'test/java/npm-package');

function has(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

const missing = !has('java', ['-version']) ? 'java' : !has('mvn', ['-v']) ? 'mvn' : undefined;
const skip = missing ? `SKIP-PEER: ${missing} is not installed; the HAPI NpmPackage check needs Java 17 and Maven (run .ci/setup-sync-peers.sh)` : false;
if (skip) console.log(skip);

function mvn(args: string[]): string {
  const r = spawnSync('mvn', ['-B', '-q', ...args], { cwd: PROJECT, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `mvn ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test('HAPI NpmPackage opens our release package and lists every resource; the JDK parses the feed', { skip, timeout: 600_000 }, async () => {
  const t = await tempStore();
  const work = mkdtempSync(join(tmpdir(), 'npm-java-'));
  try {
    const content = repoTerminology();
    await putAll(t.store, content);
    const releases = new ReleaseService({ store: t.store, canonicalBase: BASE, packageName: 'rimag.imaging.terminology' });
    const manifest = await releases.create({ name: 'V3.8.2', actor: 'test' });
    const pkg = buildNpmPackage(manifest, await releases.loadResources(manifest));
    const tgz = join(work, pkg.filename);
    writeFileSync(tgz, pkg.tgz);

    const cpFile = join(work, 'classpath.txt');
    mvn(['package', '-DskipTests']);
    mvn(['dependency:build-classpath', `-Dmdep.outputFile=${cpFile}`]);
    const classpath = `${join(PROJECT, 'target/classes')}:${readFileSync(cpFile, 'utf8').trim()}`;
    const run = spawnSync('java', ['-cp', classpath, 'sync.ReadPackage', tgz], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, `ReadPackage failed:\n${run.stdout}\n${run.stderr}`);

    const lines = run.stdout.trim().split('\n').map((l) => l.split('\t'));
    const header = lines.find((l) => l[0] === 'PACKAGE')!;
    assert.deepEqual(header.slice(1), ['rimag.imaging.terminology', '3.8.2', '4.0.1', BASE]);
    assert.ok(lines.some((l) => l[0] === 'DEPENDENCY' && l[1] === 'hl7.fhir.r4.core#4.0.1'), run.stdout.slice(0, 500));
    const listed = lines
      .filter((l) => l[0] === 'RESOURCE')
      .map(([, type, id, url, version, filename, parsedType]) => ({ type, id, url, version, filename, parsedType }));
    const expected = manifest.resources.map((r) => `${r.resourceType}/${r.id}|${r.url}|${r.version ?? 'null'}`).sort();
    assert.deepEqual(listed.map((r) => `${r.type}/${r.id}|${r.url}|${r.version}`).sort(), expected);
    for (const r of listed) assert.equal(r.parsedType, r.type, `${r.filename} parses as its indexed type`);
    assert.ok(listed.some((r) => r.url === `${BASE}/CodeSystem/exam-item`), 'exam-item is in the package');
    console.log(`HAPI NpmPackage listed ${listed.length} resources (${pkg.tgz.length} bytes .tgz)`);

    // The Atom feed of the same release, read by the JDK's namespace-aware XML parser.
    const feedFile = join(work, 'syndication.xml');
    const publisher = new PublishingService(releases);
    writeFileSync(feedFile, await publisher.renderFeed({ fhirBase: 'http://tx.test/fhir', feedUrl: 'http://tx.test/fhir/syndication.xml' }));
    const feedRun = spawnSync('java', ['-cp', classpath, 'sync.ReadFeed', feedFile], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(feedRun.status, 0, `ReadFeed failed:\n${feedRun.stdout}\n${feedRun.stderr}`);
    const feedLines = feedRun.stdout.trim().split('\n').map((l) => l.split('\t'));
    assert.equal(feedLines[0]![2], NCTS_PROFILE);
    const entries = feedLines.filter((l) => l[0] === 'ENTRY');
    assert.equal(entries.length, manifest.resources.length + 1, 'one entry per resource version plus the package');
    const { pkg: served } = (await publisher.getPackage({ release: 'V3.8.2' }))!;
    const files = new Map(served.files.map((f) => [f.filename, f]));
    for (const [, term, scheme, identifier, version, href, length, hash] of entries) {
      assert.equal(scheme, NCTS_SCHEME);
      if (term === 'FHIR_Package') {
        assert.deepEqual([identifier, version, Number(length), hash], ['rimag.imaging.terminology', '3.8.2', served.tgz.length, served.sha256]);
        continue;
      }
      const ref = manifest.resources.find((r) => `${r.url}|${r.version ?? ''}` === version)!;
      assert.ok(ref, `entry ${version} is a released resource`);
      assert.equal(term, `FHIR_${ref.resourceType}`);
      assert.equal(identifier, ref.url);
      const file = files.get(href!.split('/').pop()!)!;
      assert.deepEqual([Number(length), hash], [file.bytes.length, file.sha256]);
    }
  } finally {
    await t.close();
    rmSync(work, { recursive: true, force: true });
  }
});
