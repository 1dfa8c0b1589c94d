/** Builds an app over the in-memory store with a recording registry, for the HTTP tests. */
import type { Express } from 'express';
import type { CodeSystem, ValueSet } from 'fhir/r4';
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
  /** Code systems known besides the stored ones (stands in for FHIR core content). */
  readonly extraCodeSystems = new Map<string, CodeSystem>();
  findCodeSystem(url: string): CodeSystem | undefined {
    return this.extraCodeSystems.get(url) ?? (this.added.find((r) => r.resourceType === 'CodeSystem' && r.url === url) as CodeSystem | undefined);
  }
  findValueSet(url: string): ValueSet | undefined {
    return this.added.find((r) => r.resourceType === 'ValueSet' && r.url === url) as ValueSet | undefined;
  }
  codeSystemVersions(): Array<{ url: string; versions: string[] }> {
    const all = [...this.extraCodeSystems.values(), ...this.added.filter((r): r is CodeSystem => r.resourceType === 'CodeSystem')];
    const byUrl = new Map<string, string[]>();
    for (const cs of all) if (cs.url) byUrl.set(cs.url, [...(byUrl.get(cs.url) ?? []), ...(cs.version ? [cs.version] : [])]);
    return [...byUrl].map(([url, versions]) => ({ url, versions }));
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
