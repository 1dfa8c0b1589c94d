/** Builds an app over the in-memory store with a recording registry, for the HTTP tests. */
import type { Express } from 'express';
import { defaultConfig, type AppConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createApp } from '../../src/fhir/app.js';
import type { RegistrySink, TerminologyResource } from '../../src/fhir/deps.js';
import type { OperationTable } from '../../src/fhir/operation-types.js';
import { createMemoryStore } from './memory-store.js';

export class RecordingRegistry implements RegistrySink {
  readonly added: TerminologyResource[] = [];
  readonly removed: string[] = [];
  add(resource: TerminologyResource): void {
    this.added.push(resource);
  }
  remove(resourceType: string, id: string): void {
    this.removed.push(`${resourceType}/${id}`);
  }
}

export interface TestAppOptions {
  operations?: OperationTable;
  config?: (config: AppConfig) => void;
}

export function buildTestApp(options: TestAppOptions = {}) {
  const config = defaultConfig();
  config.http.publicBaseUrl = 'http://tx.test/fhir';
  options.config?.(config);
  const store = createMemoryStore();
  const registry = new RecordingRegistry();
  const app: Express = createApp({ operations: options.operations ?? {}, registry, store, config, logger: silentLogger });
  return { app, store, registry, config };
}

export const FHIR_JSON_R4 = 'application/fhir+json; fhirVersion=4.0;charset=UTF-8';
