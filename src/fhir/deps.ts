/**
 * What the HTTP layer needs from the rest of the server, assembled by `src/main.ts`.
 */
import type { CodeSystem, ConceptMap, ValueSet } from 'fhir/r4';
import type { Router } from 'express';
import type { AppConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import type { OperationTable } from './operation-types.js';

export type TerminologyResource = CodeSystem | ValueSet | ConceptMap;

/**
 * The part of `TerminologyRegistry` (src/terminology/registry.ts, CONTRACTS.md) the REST layer
 * uses: re-index after each successful write. Declared structurally so either side can evolve.
 */
export interface RegistrySink {
  add(resource: TerminologyResource): void;
  remove(resourceType: string, id: string): void;
  /** Used by semantic validation (ValueSet includes of unknown systems / value sets). */
  findCodeSystem(url: string, version?: string): CodeSystem | undefined;
  findValueSet(url: string, version?: string): ValueSet | undefined;
  /** Code systems with their versions, for TerminologyCapabilities.codeSystem. */
  codeSystemVersions(): Array<{ url: string; versions: string[] }>;
}

export interface AppDeps {
  operations: OperationTable;
  registry: RegistrySink;
  store: Store;
  config: AppConfig;
  logger: Logger;
  /** Extra Express routers mounted under `/fhir` before the FHIR dispatcher (e.g. HL7 admin routes). */
  routers?: Router[];
  /**
   * Canonicals that make `$translate` answer from the exam-name matcher rather than a ConceptMap
   * (src/fhir/lean/translate-rule.ts); absent = the lean path never caches `$translate`.
   */
  matcherCanonicals?: string[];
}
