/**
 * Terminology sync from the command line (docs/sync.md).
 *
 *   npm run sync -- --upstream <fhir base url> [--data-dir DIR] [--standard-base URL]
 *                   [--page-size N] [--timeout-ms N] [--retries N] [--full] [--package URL|FILE] [--json]
 *       Pulls from the upstream into the local store: a full copy the first time (or with
 *       --full), then increments since the last successful point. Exit 0 when the pass
 *       completed, 1 when it stopped (the report says why; the next run resumes).
 *       --package seeds the full copy from the upstream's FHIR package (.tgz URL or file)
 *       instead of searching; later runs continue with increments from the package's date.
 *
 *   npm run sync -- release create <name> [--description TEXT] [--package-version X.Y.Z] [--data-dir DIR]
 *   npm run sync -- release list [--data-dir DIR]
 *   npm run sync -- release show <name> [--data-dir DIR]
 *   npm run sync -- release package <name> --out FILE.tgz [--data-dir DIR]
 *
 * The store is the server's (DATA_DIR / MONGODB_URI / CONFIG_FILE as for `npm start`;
 * --data-dir overrides DATA_DIR). Stop the server first when it uses the embedded SQLite store
 * and you create releases here, or use the HTTP endpoint instead (POST /fhir/$release).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { DEFAULT_CANONICAL_BASE } from '../src/standard/canonical.js';
import { createStore } from '../src/store/index.js';
import type { Store } from '../src/store/store.js';
import { SyncClient, type SyncReport } from '../src/sync/client.js';
import { buildNpmPackage } from '../src/sync/npm-package.js';
import { fetchPackage, readPackageSnapshot } from '../src/sync/package-seed.js';
import { ReleaseService } from '../src/sync/release.js';

export const PACKAGE_NAME = 'rimag.imaging.terminology';

const USAGE = `usage:
  npm run sync -- --upstream <fhir base url> [--data-dir DIR] [--standard-base URL] [--page-size N] [--timeout-ms N] [--retries N] [--full] [--package URL|FILE] [--json]
  npm run sync -- release create <name> [--description TEXT] [--package-version X.Y.Z] [--data-dir DIR]
  npm run sync -- release list|show <name>|package <name> --out FILE.tgz [--data-dir DIR]`;

function intOption(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${raw}`);
  return n;
}

async function openStore(dataDir: string | undefined): Promise<Store> {
  const config = loadConfig(dataDir ? { ...process.env, DATA_DIR: dataDir } : process.env);
  return createStore({
    dataDir: config.store.dataDir,
    ...(config.store.mongodbUri ? { mongodbUri: config.store.mongodbUri } : {}),
    mongodbDatabase: config.store.mongodbDatabase,
  });
}

function printReport(report: SyncReport): void {
  const line = (label: string, items: string[]): void => {
    console.log(`${label.padEnd(10)} ${items.length}${items.length ? `: ${items.slice(0, 20).join(', ')}${items.length > 20 ? ', …' : ''}` : ''}`);
  };
  console.log(`sync ${report.mode} from ${report.upstream}: ${report.ok ? (report.passComplete ? 'complete' : 'ok') : 'STOPPED'}`);
  console.log(`pages      ${report.pages}, entries ${report.entriesSeen}`);
  line('created', report.created);
  line('updated', report.updated);
  line('deleted', report.deleted);
  console.log(`unchanged  ${report.unchanged}, stale versions skipped ${report.skippedStale}`);
  line('not std', report.skippedNotStandard);
  for (const c of report.conflicts) console.log(`conflict   ${c.resource}: ${c.reason}`);
  for (const r of report.rejected) console.log(`rejected   ${r.resource}: ${r.reason}`);
  if (!report.ok) console.log(`error      ${report.error}\n           the local copy keeps everything up to the last verified page; run again to resume`);
}

async function loadPackage(source: string): Promise<Buffer> {
  return /^https?:\/\//.test(source) ? fetchPackage(source, { timeoutMs: 120_000 }) : readFileSync(source);
}

async function runSync(values: Record<string, string | boolean | undefined>): Promise<number> {
  const store = await openStore(values['data-dir'] as string | undefined);
  try {
    const client = new SyncClient({
      upstream: values.upstream as string,
      store,
      standardBase: (values['standard-base'] as string | undefined) ?? DEFAULT_CANONICAL_BASE,
      pageSize: intOption('page-size', values['page-size'] as string | undefined, 100),
      timeoutMs: intOption('timeout-ms', values['timeout-ms'] as string | undefined, 30_000),
      retries: intOption('retries', values.retries as string | undefined, 2),
      actor: 'sync-cli',
    });
    if (values.full) await client.reset();
    const pkg = values.package as string | undefined;
    const report = pkg ? await client.seed(readPackageSnapshot(await loadPackage(pkg))) : await client.run();
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else printReport(report);
    return report.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

async function runRelease(positionals: string[], values: Record<string, string | boolean | undefined>): Promise<number> {
  const [, action, name] = positionals;
  const store = await openStore(values['data-dir'] as string | undefined);
  try {
    const releases = new ReleaseService({ store, canonicalBase: (values['standard-base'] as string | undefined) ?? DEFAULT_CANONICAL_BASE, packageName: PACKAGE_NAME });
    if (action === 'list') {
      for (const r of await releases.list()) console.log(`${r.name}\t${r.packageName}#${r.packageVersion}\t${r.createdAt}\t${r.resourceCount} resources\t+${r.added} -${r.retired} ~${r.renamed}`);
      return 0;
    }
    if (!name) throw new Error(`release ${action ?? ''} needs a release name\n${USAGE}`);
    if (action === 'create') {
      const description = values.description as string | undefined;
      const packageVersion = values['package-version'] as string | undefined;
      const m = await releases.create({ name, actor: 'cli', ...(description ? { description } : {}), ...(packageVersion ? { packageVersion } : {}) });
      const exam = m.changes.examItems;
      console.log(`release ${m.name} created: ${m.resources.length} resources, package ${m.packageName}#${m.packageVersion}`);
      console.log(`against ${m.previous ?? '(no previous release)'}: exam items +${exam?.added.length ?? 0} added, ${exam?.retired.length ?? 0} retired, ${exam?.renamed.length ?? 0} renamed`);
      return 0;
    }
    const manifest = await releases.get(name);
    if (!manifest) throw new Error(`no release named ${name}`);
    if (action === 'show') {
      console.log(JSON.stringify(manifest, null, 2));
      return 0;
    }
    if (action === 'package') {
      const out = values.out as string | undefined;
      if (!out) throw new Error('release package needs --out FILE.tgz');
      const pkg = buildNpmPackage(manifest, await releases.loadResources(manifest));
      writeFileSync(out, pkg.tgz);
      console.log(`${out}: ${pkg.name}#${pkg.version}, ${pkg.files.length} resources, ${pkg.tgz.length} bytes, sha256 ${pkg.sha256}`);
      return 0;
    }
    throw new Error(`unknown release action ${action ?? ''}\n${USAGE}`);
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      upstream: { type: 'string' },
      'data-dir': { type: 'string' },
      'standard-base': { type: 'string' },
      'page-size': { type: 'string' },
      'timeout-ms': { type: 'string' },
      retries: { type: 'string' },
      full: { type: 'boolean' },
      package: { type: 'string' },
      json: { type: 'boolean' },
      description: { type: 'string' },
      'package-version': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals[0] === 'release') return runRelease(positionals, values);
  if (positionals.length > 0 || !values.upstream) {
    console.error(USAGE);
    return 2;
  }
  return runSync(values);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(2);
  },
);
