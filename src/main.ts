/**
 * Composition root: config → store → content load → registry (+ FHIR core) → operations → HTTP,
 * with store.watch refreshing the in-memory indexes and a graceful shutdown on SIGINT/SIGTERM.
 * Nothing else imports `fhir/` or `hl7/` (scripts/check-layers.mjs enforces it).
 */
import type { Server } from 'node:http';
import type { CodeSystem } from 'fhir/r4';
import { ConfigError, REPO_ROOT, loadConfig, type AppConfig } from './config.js';
import { loadContentDirs } from './content/loader.js';
import { createLogger, type Logger } from './logger.js';
import { createStore } from './store/index.js';
import type { ResourceVersion, Store } from './store/store.js';
import { loadFhirCore } from './terminology/fhir-core.js';
import { TerminologyRegistry, type TerminologyResource } from './terminology/registry.js';
import { CS, DEFAULT_CANONICAL_BASE, canonicalBase, codeSystemUrl } from './standard/canonical.js';
import { examItemProviderFactory } from './standard/exam-item-provider.js';
import { createFhirServer } from './fhir/app.js';
import { createOperationTable } from './fhir/operations/table.js';
import { createPublishRouter } from './fhir/publish/router.js';
import { bearerAuthorizer } from './fhir/publish/auth.js';
import { validateCodeVia } from './fhir/publish/validate-code.js';
import { ReleaseService } from './sync/release.js';
import { PublishingService } from './sync/publishing.js';
import { createSubmissionService } from './sync/submit.js';
import { parseSyncConfig } from './sync/config.js';
import { startSyncScheduler, type SyncScheduler } from './sync/scheduler.js';

const TERMINOLOGY_TYPES = new Set(['CodeSystem', 'ValueSet', 'ConceptMap']);

/** Applies store versions (written here or by another process) to the registry. */
function applyToRegistry(registry: TerminologyRegistry, versions: ResourceVersion[]): void {
  for (const v of versions) {
    if (!TERMINOLOGY_TYPES.has(v.resourceType)) continue;
    if (v.deleted) registry.remove(v.resourceType, v.id);
    else registry.add(v.resource as TerminologyResource);
  }
}

async function buildRegistry(store: Store, config: AppConfig, logger: Logger): Promise<TerminologyRegistry> {
  const registry = new TerminologyRegistry();
  const started = performance.now();
  const core = config.terminology.loadFhirCore ? loadFhirCore(registry) : 0;
  const current = await store.resources.listCurrent();
  applyToRegistry(registry, current);
  // The exam-item code system explains unknown codes and accepts device-specific ones (§6.1.2).
  const resolve = (url: string) => registry.findCodeSystem(url) as CodeSystem | undefined;
  registry.registerProviderFactory(codeSystemUrl(canonicalBase(), CS.examItem), examItemProviderFactory({ resolve }));
  logger.info({ fhirCore: core, stored: current.length, ms: Math.round(performance.now() - started) }, 'terminology registry built');
  return registry;
}

export interface RunningServer {
  server: Server;
  stop(): Promise<void>;
}

export async function start(config: AppConfig, logger: Logger): Promise<RunningServer> {
  const store = await createStore({
    dataDir: config.store.dataDir,
    ...(config.store.mongodbUri ? { mongodbUri: config.store.mongodbUri } : {}),
    mongodbDatabase: config.store.mongodbDatabase,
    pollIntervalMs: config.store.pollIntervalMs,
  });
  logger.info({ kind: store.kind }, 'store open');

  const loaded = await loadContentDirs(store, config.contentDirs, { baseDir: REPO_ROOT, actor: 'content-load' });
  logger.info({ loaded: loaded.loaded, unchanged: loaded.unchanged, missingDirs: loaded.missingDirs }, 'content loaded');
  for (const e of loaded.errors) logger.warn({ file: e.file }, `content file skipped: ${e.message}`);

  const registry = await buildRegistry(store, config, logger);
  const operations = createOperationTable({
    registry,
    maxExpansionSize: config.terminology.maxExpansionSize,
    operationTimeoutMs: config.terminology.operationTimeoutMs,
  });

  // Publishing side of sync (docs/sync.md): releases, packages, feed, ConceptMap submissions.
  const syncConfig = parseSyncConfig(config.sync);
  let fhirServer: ReturnType<typeof createFhirServer> | undefined;
  const onWritten = (v: ResourceVersion) => {
    applyToRegistry(registry, [v]);
    void fhirServer?.onStoreChange([v]);
  };
  const publisher = new PublishingService(new ReleaseService({ store, canonicalBase: DEFAULT_CANONICAL_BASE, packageName: 'rimag.imaging.terminology' }));
  const submissions = createSubmissionService({ store, validateCode: validateCodeVia(operations['CodeSystem/$validate-code']!), onWritten });
  const publishRouter = createPublishRouter({
    publisher, submissions, audit: store.audit,
    authorize: bearerAuthorizer(config.adminToken, store.audit),
    ...(config.http.publicBaseUrl ? { publicBaseUrl: config.http.publicBaseUrl } : {}),
  });

  fhirServer = createFhirServer({ operations, registry, store, config, logger, routers: [publishRouter] });
  const unwatch = store.watch((versions) => {
    applyToRegistry(registry, versions);
    fhirServer?.onStoreChange(versions).catch((err: unknown) => logger.error({ err }, 'search index refresh failed'));
  });
  const scheduler: SyncScheduler | undefined = syncConfig
    ? startSyncScheduler({ config: syncConfig, store, logger, onWritten, onDeleted: (type, id) => registry.remove(type, id) }) // the search index learns deletions from store.watch
    : undefined;

  const server = await new Promise<Server>((resolveListen, reject) => {
    const s = fhirServer!.app.listen(config.http.port, config.http.host, () => resolveListen(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  logger.info({ url: `http://${config.http.host}:${port}/fhir`, writes: config.adminToken ? 'enabled' : 'disabled (no ADMIN_TOKEN)' }, 'FHIR server listening');
  // Writes need the compiled FHIR schema validators (seconds of CPU, once per process): compile them
  // right after listening when writes are possible; without ADMIN_TOKEN writes are refused anyway.
  if (config.adminToken) setTimeout(() => fhirServer?.warmUp(), 100).unref();

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    logger.info('shutting down');
    unwatch();
    await scheduler?.stop();
    await new Promise<void>((done) => {
      server.close(() => done());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 5000).unref();
    });
    await store.close();
    logger.info('stopped');
  })());
  return { server, stop };
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  try {
    const running = await start(config, logger);
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'signal received');
      running.stop().then(() => process.exit(0), (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  } catch (err) {
    logger.fatal({ err }, 'startup failed');
    process.exit(1);
  }
}

// Run only as the entry point (tests import `start`).
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) void main();
