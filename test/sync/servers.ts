/**
 * A server instance for the end-to-end sync tests: the real HTTP app (`createApp`, REST
 * read/search/_history/write by the fhir-rest layer) over its own temporary SQLite DATA_DIR, with
 * the publishing routers mounted the way main.ts mounts them, listening on 127.0.0.1:0.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { CodeSystem, ValueSet } from 'fhir/r4';
import { defaultConfig } from '../../src/config.js';
import { createApp } from '../../src/fhir/app.js';
import type { RegistrySink, TerminologyResource } from '../../src/fhir/deps.js';
import { bearerAuthorizer } from '../../src/fhir/publish/auth.js';
import { createPublishRouter } from '../../src/fhir/publish/router.js';
import { silentLogger } from '../../src/logger.js';
import { PublishingService } from '../../src/sync/publishing.js';
import { ReleaseService } from '../../src/sync/release.js';
import { createSubmissionService } from '../../src/sync/submit.js';
import { BASE } from './fixtures.js';
import { tempStore, type TempStore } from './helpers.js';

/** Just enough of the registry for the REST layer's checks (the engine is not under test here). */
export class MapRegistry implements RegistrySink {
  private readonly byKey = new Map<string, TerminologyResource>();
  add(resource: TerminologyResource): void {
    this.byKey.set(`${resource.resourceType}/${resource.id}`, resource);
  }
  remove(resourceType: string, id: string): void {
    this.byKey.delete(`${resourceType}/${id}`);
  }
  findCodeSystem(url: string): CodeSystem | undefined {
    return [...this.byKey.values()].find((r): r is CodeSystem => r.resourceType === 'CodeSystem' && r.url === url);
  }
  findValueSet(url: string): ValueSet | undefined {
    return [...this.byKey.values()].find((r): r is ValueSet => r.resourceType === 'ValueSet' && r.url === url);
  }
  codeSystemVersions(): Array<{ url: string; versions: string[] }> {
    return [];
  }
}

export interface ServerInstance extends TempStore {
  base: string;
  registry: MapRegistry;
  stop(): Promise<void>;
}

export const ADMIN_TOKEN = 'e2e-admin-token';

export async function startInstance(): Promise<ServerInstance> {
  const t = await tempStore('sync-e2e-');
  const config = defaultConfig();
  config.adminToken = ADMIN_TOKEN;
  const registry = new MapRegistry();
  const releases = new ReleaseService({ store: t.store, canonicalBase: BASE, packageName: 'rimag.imaging.terminology' });
  const router = createPublishRouter({
    publisher: new PublishingService(releases),
    submissions: createSubmissionService({ validateCode: async () => ({ ok: true }), store: t.store, onWritten: (v) => registry.add(v.resource as TerminologyResource) }),
    authorize: bearerAuthorizer(ADMIN_TOKEN, t.store.audit),
    audit: t.store.audit,
  });
  const app = createApp({ operations: {}, registry, store: t.store, config, logger: silentLogger, routers: [router] });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    ...t,
    base: `http://127.0.0.1:${port}/fhir`,
    registry,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    },
  };
}
