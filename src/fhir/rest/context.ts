/** What the resource interactions share: built once by the dispatcher. */
import type { Logger } from '../../logger.js';
import type { ResourceStore } from '../../store/store.js';
import type { AdminGuard } from '../auth.js';
import type { RegistrySink } from '../deps.js';
import type { FhirSchemaValidator } from '../validation/schema-validator.js';
import type { CurrentResourceIndex } from './resource-index.js';

export interface RestContext {
  store: ResourceStore;
  index: CurrentResourceIndex;
  registry: RegistrySink;
  validator: FhirSchemaValidator;
  guard: AdminGuard;
  logger: Logger;
}

/** Resource types that can be written through the API (the terminology resources). */
export const WRITABLE_TYPES: ReadonlySet<string> = new Set(['CodeSystem', 'ValueSet', 'ConceptMap']);
/** Resource types served from the store read-only. */
export const STORED_TYPES: ReadonlySet<string> = new Set(['CodeSystem', 'ValueSet', 'ConceptMap', 'OperationDefinition']);
