/**
 * Starts the server in-process on an ephemeral loopback port for the conformance run:
 * the HTTP app (src/fhir/app.ts) with the operation table over a registry holding the repo's
 * content and the FHIR R4 core terminology.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { defaultConfig } from '../../src/config.js';
import { createApp } from '../../src/fhir/app.js';
import { createOperationTable } from '../../src/fhir/operations/table.js';
import { silentLogger } from '../../src/logger.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnavailableError } from '../../src/errors.js';
import { createStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { loadFhirCore } from '../../src/terminology/fhir-core.js';
import { TerminologyRegistry } from '../../src/terminology/registry.js';

export interface RunningServer {
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * The terminology operations never touch the store; a store whose every method answers 503 keeps
 * these runs independent of the storage engine (and shows up at once if an operation starts using it).
 */
export function storeless(): Store {
  return new Proxy({} as Store, {
    get: (_target, prop) => (prop === 'then' ? undefined : () => Promise.reject(new UnavailableError(`store.${String(prop)} is not available in this test server`))),
  });
}

export async function startServer(): Promise<RunningServer> {
  const registry = new TerminologyRegistry();
  loadFhirCore(registry);
  const config = defaultConfig();
  // A real (empty) embedded store serves metadata's stored-OperationDefinition lookups; if the store
  // cannot open, the operations still run against the 503 stub.
  const dataDir = mkdtempSync(join(tmpdir(), 'tx-conformance-'));
  let store: Store;
  try {
    store = await createStore({ dataDir });
  } catch (err) {
    console.warn(`conformance server: embedded store unavailable (${(err as Error).message}); using a store stub`);
    store = storeless();
  }
  config.store.dataDir = dataDir;
  const operations = createOperationTable({ registry, maxExpansionSize: config.terminology.maxExpansionSize });
  const app = createApp({ operations, registry, store, config, logger: silentLogger });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/fhir`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await (store as { close?: () => Promise<void> | void }).close?.();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
