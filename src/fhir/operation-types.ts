/**
 * The engine ↔ HTTP contract (CONTRACTS.md), defined by the engine in `operations/types.ts`;
 * re-exported so the HTTP layer names one place.
 */
export type { OperationHandler, OperationRequest, OperationResult, OperationTable } from './operations/types.js';
