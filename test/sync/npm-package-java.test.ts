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

test('HAPI NpmPackage opens our release package and lists every resource', { skip, timeout: 600_000 }, async () => {
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
  } finally {
    await t.close();
    rmSync(work, { recursive: true, force: true });
  }
});
