/**
 * The OperationTable (CONTRACTS.md) the HTTP app mounts: every terminology operation at type and
 * instance level. Handlers are thin: read parameters, call the engine, return a resource.
 */
import type { TerminologyRegistry } from '../../terminology/registry.js';
import { codeSystemValidateHandler, lookupHandler, subsumesHandler } from './codesystem.js';
import { translateHandler } from './conceptmap.js';
import type { OperationTable } from './types.js';
import { batchValidateHandler, expandHandler, valueSetValidateHandler } from './valueset.js';

export interface OperationTableOptions {
  registry: TerminologyRegistry;
  /** Largest expansion before too-costly (default 100 000). */
  maxExpansionSize?: number;
  /** Per-operation time budget in ms (default 30 000). */
  operationTimeoutMs?: number;
}

export function createOperationTable(options: OperationTableOptions): OperationTable {
  const engine = {
    registry: options.registry,
    maxExpansionSize: options.maxExpansionSize ?? 100_000,
    operationTimeoutMs: options.operationTimeoutMs ?? 30_000,
  };
  return {
    'CodeSystem/$lookup': lookupHandler(engine),
    'CodeSystem/$validate-code': codeSystemValidateHandler(engine),
    'CodeSystem/$subsumes': subsumesHandler(engine),
    'ValueSet/$expand': expandHandler(engine),
    'ValueSet/$validate-code': valueSetValidateHandler(engine),
    'ValueSet/$batch-validate-code': batchValidateHandler(engine),
    'ConceptMap/$translate': translateHandler(engine),
    '$versions': async () => ({
      resourceType: 'Parameters',
      parameter: [
        { name: 'version', valueString: '4.0' },
        { name: 'default', valueString: '4.0' },
      ],
    }),
  };
}
