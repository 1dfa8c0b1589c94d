/**
 * Composition root: config → store → content load → registry (+ FHIR core) → operations → HTTP,
 * with store.watch refreshing the in-memory indexes and a graceful shutdown on SIGINT/SIGTERM.
 * Nothing else imports `fhir/` or `hl7/` (scripts/check-layers.mjs enforces it).
 */
import { createServer, type Server } from 'node:http';
import type { CodeSystem, ConceptMap, Resource } from 'fhir/r4';
import { ConfigError, REPO_ROOT, loadConfig, type AppConfig } from './config.js';
import { loadContentDirs } from './content/loader.js';
import { createLogger, type Logger } from './logger.js';
import { createStore } from './store/index.js';
import type { ResourceVersion, Store } from './store/store.js';
import { loadFhirCore } from './terminology/fhir-core.js';
import { TerminologyRegistry, type TerminologyResource } from './terminology/registry.js';
import { CS, canonicalBase, codeSystemUrl } from './standard/canonical.js';
import { examItemProviderFactory } from './standard/exam-item-provider.js';
import { createFhirServer } from './fhir/app.js';
import { createOperationTable } from './fhir/operations/table.js';
import { ExamItemMatching, withMatchingOperations } from './fhir/matching-operations.js';
import { FhirSchemaValidator } from './fhir/validation/schema-validator.js';
import { createHl7AdminRouter } from './fhir/admin/hl7-routes.js';
import { Hl7Gateway, createOrderCodeResolver, parseHl7Config } from './hl7/index.js';
import { LearnedMappings } from './matching/index.js';
import { scheduleAuditRetention } from './store/retention.js';
import { createPublishRouter } from './fhir/publish/router.js';
import { bearerAuthorizer } from './fhir/publish/auth.js';
import { createReviewRouter } from './fhir/review-routes.js';
import { answerClientError } from './fhir/http/client-error.js';
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

async function buildRegistry(store: Store, config: AppConfig, logger: Logger, base: string): Promise<TerminologyRegistry> {
  const registry = new TerminologyRegistry();
  const started = performance.now();
  const core = config.terminology.loadFhirCore ? loadFhirCore(registry) : 0;
  const current = await store.resources.listCurrent();
  applyToRegistry(registry, current);
  // The exam-item code system explains unknown codes and accepts device-specific ones (§6.1.2).
  const resolve = (url: string) => registry.findCodeSystem(url) as CodeSystem | undefined;
  registry.registerProviderFactory(codeSystemUrl(base, CS.examItem), examItemProviderFactory({ resolve }));
  logger.info({ fhirCore: core, stored: current.length, ms: Math.round(performance.now() - started) }, 'terminology registry built');
  return registry;
}

export interface RunningServer {
  server: Server;
  /** The HL7 v2 gateway when a listener is configured (MLLP_PORT or `hl7.listeners`). */
  hl7?: Hl7Gateway;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Environment read by module sections (MLLP_PORT, MLLP_DOWNSTREAM, MLLP_HOST); default process.env. */
  env?: Record<string, string | undefined>;
}

/** Sync and submissions check resources with the FHIR R4 JSON schema (errors only; warnings pass). */
function schemaProblems(resource: Resource): string | undefined {
  const errors = FhirSchemaValidator.shared().check(resource).filter((i) => (i.severity ?? 'error') === 'error' || i.severity === 'fatal');
  return errors.length ? errors.map((i) => i.message).join('; ') : undefined;
}

export async function start(config: AppConfig, logger: Logger, options: StartOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  // One canonical base for the engine, sync ownership, releases and the matcher (CANONICAL_BASE).
  const base = canonicalBase(env);
  // Module sections fail fast (ConfigError naming the key) before anything is opened.
  const hl7Config = parseHl7Config(config.hl7, env);
  const syncConfig = parseSyncConfig(config.sync);
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

  // The head before listCurrent(): store.watch then reports every write after the snapshot, none lost between.
  const head = await store.resources.headSeq();
  const registry = await buildRegistry(store, config, logger, base);
  const stopRetention = scheduleAuditRetention({
    audit: store.audit,
    retentionDays: config.audit.retentionDays,
    onPrune: (removed, cutoff) => { if (removed > 0) logger.info({ removed, cutoff }, 'audit records past retention pruned'); },
    onError: (err) => logger.warn({ err }, 'audit retention prune failed (retried at the next run)'),
  });

  // The standardisation engine, built once from the exam-item CodeSystem; senders' reviewed maps first.
  const learned = new LearnedMappings(store.resources, { canonicalBase: base });
  const learnedMaps = await learned.load();
  const matching = new ExamItemMatching({
    base, learned,
    findCodeSystem: (url) => registry.findCodeSystem(url) as CodeSystem | undefined,
    onError: (err) => logger.warn({ err }, 'learned mappings reload failed'),
  });
  logger.info({ items: matching.rebuild(), learnedMaps }, 'exam-name matcher built');
  const operations = withMatchingOperations(
    createOperationTable({
      registry,
      maxExpansionSize: config.terminology.maxExpansionSize,
      operationTimeoutMs: config.terminology.operationTimeoutMs,
    }),
    {
      matching, base,
      codeSystemById: (id) => registry.byId('CodeSystem', id) as CodeSystem | undefined,
      mapsFrom: (system) => (registry.all('ConceptMap') as ConceptMap[]).some((cm) => cm.group?.some((g) => g.source === system)),
    },
  );

  // Publishing side of sync (docs/sync.md): releases, packages, feed, ConceptMap submissions.
  let fhirServer: ReturnType<typeof createFhirServer> | undefined;
  const onWritten = (v: ResourceVersion) => {
    applyToRegistry(registry, [v]);
    void fhirServer?.onStoreChange([v]);
  };
  const publisher = new PublishingService(new ReleaseService({ store, canonicalBase: base, packageName: 'rimag.imaging.terminology' }));
  const submissions = createSubmissionService({
    store, standardBase: base, validateResource: schemaProblems, onWritten,
    validateCode: validateCodeVia(operations['CodeSystem/$validate-code']!),
  });
  const authorize = bearerAuthorizer(config.adminToken, store.audit);
  const publishRouter = createPublishRouter({
    publisher, submissions, audit: store.audit,
    authorize,
    ...(config.http.publicBaseUrl ? { publicBaseUrl: config.http.publicBaseUrl } : {}),
  });
  const routers = [
    publishRouter,
    createReviewRouter({ authorize, audit: store.audit, target: (code, system) => matching.target(code, system), knowsSystem: (system) => matching.knowsSystem(system), record: (decision) => learned.record(decision) }),
  ];

  // HL7 v2 gateway (docs/hl7.md): off unless MLLP_PORT or hl7.listeners is configured.
  // (startHl7Gateway's steps, kept here so a failed start can stop the forwarders it already began)
  const hl7 = hl7Config && new Hl7Gateway({
    config: hl7Config, journal: store.journal, logger: logger.child({ component: 'hl7' }),
    resolver: createOrderCodeResolver({
      conceptMap: async (q) => matching.learnedTarget(q.sender, q.text, q.code),
      matcher: matching.matcher,
      standardSystem: matching.system,
    }),
  });
  await hl7?.start().catch(async (err: unknown) => {
    // e.g. the MLLP port is taken: leave nothing running behind the error
    await hl7.stop();
    stopRetention();
    await store.close();
    throw err;
  });
  if (hl7) routers.push(createHl7AdminRouter({ admin: hl7.admin, authorize, audit: store.audit }));

  fhirServer = createFhirServer({ operations, registry, store, config, logger, routers, matcherCanonicals: [matching.engineCanonical] });
  const unwatch = store.watch((versions) => {
    applyToRegistry(registry, versions);
    matching.onStoreChange(versions);
    fhirServer?.onStoreChange(versions).catch((err: unknown) => logger.error({ err }, 'search index refresh failed'));
  }, { afterSeq: head, onError: (err) => logger.warn({ err }, 'store watch poll failed (keeps polling)') });
  // The standard's base follows CANONICAL_BASE unless the sync section names one explicitly.
  const explicitBase = (config.sync as { standardBase?: unknown } | undefined)?.standardBase !== undefined;
  const scheduler: SyncScheduler | undefined = syncConfig
    ? startSyncScheduler({
      config: explicitBase ? syncConfig : { ...syncConfig, standardBase: base },
      store, logger, onWritten, validateResource: schemaProblems,
      onDeleted: (type, id) => registry.remove(type, id), // the search index learns deletions from store.watch
    })
    : undefined;

  const stopBackground = async () => {
    unwatch();
    stopRetention();
    await scheduler?.stop();
    await hl7?.stop(); // listeners first, then forwarders; the journal keeps whatever is undelivered
  };
  const server = await new Promise<Server>((resolveListen, reject) => {
    const s = createServer(fhirServer!.listener).listen(config.http.port, config.http.host, () => resolveListen(s));
    s.on('clientError', answerClientError);
    s.once('error', reject);
  }).catch(async (err: unknown) => {
    await stopBackground();
    await store.close();
    throw err;
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
    await stopBackground();
    await new Promise<void>((done) => {
      server.close(() => done());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 5000).unref();
    });
    await store.close();
    logger.info('stopped');
  })());
  return { server, ...(hl7 ? { hl7 } : {}), stop };
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
    if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    logger.fatal({ err }, 'startup failed');
    process.exit(1);
  }
}

// Run only as the entry point (tests import `start`).
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) void main();
