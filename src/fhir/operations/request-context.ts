/**
 * Builds the engine's OperationContext from an OperationRequest: tx-resource overlay, language
 * preferences (displayLanguage, else Accept-Language), version rules, supplements, limits.
 */
import type { CodeSystem, ConceptMap, Resource, ValueSet } from 'fhir/r4';
import type { OperationContext as Ctx, VersionRule } from '../../terminology/context.js';
import { OperationContext } from '../../terminology/context.js';
import type { TerminologyRegistry, TerminologyResource } from '../../terminology/registry.js';
import type { OperationRequest } from './types.js';
import { ParamReader } from './params.js';

export interface EngineOptions {
  registry: TerminologyRegistry;
  /** Largest expansion built before too-costly (overridable per request by X-TOO-COSTLY-THRESHOLD). */
  maxExpansionSize: number;
  operationTimeoutMs: number;
}

const TERMINOLOGY_TYPES = new Set(['CodeSystem', 'ValueSet', 'ConceptMap']);

function isTerminologyResource(r: Resource): r is CodeSystem | ValueSet | ConceptMap {
  return TERMINOLOGY_TYPES.has(r.resourceType);
}

function versionRules(params: ParamReader): VersionRule[] {
  const rules: VersionRule[] = [];
  const add = (name: string, mode: VersionRule['mode']): void => {
    for (const value of params.strings(name)) {
      const bar = value.indexOf('|');
      if (bar > 0) rules.push({ system: value.slice(0, bar), version: value.slice(bar + 1), mode });
    }
  };
  add('system-version', 'default');
  add('check-system-version', 'check');
  add('force-system-version', 'force');
  return rules;
}

/** Accept-Language, ignoring the `*` that HTTP clients send by default (it states no preference). */
export function acceptLanguage(req: OperationRequest): string | undefined {
  const h = req.headers['accept-language']?.trim();
  return h && h !== '*' ? h : undefined;
}

export interface RequestContext {
  ctx: Ctx;
  params: ParamReader;
  /** Supplements asked for by useSupplement. */
  supplements: string[];
  /** The effective too-costly threshold. */
  limit: number;
}

export function requestContext(engine: EngineOptions, req: OperationRequest): RequestContext {
  const params = new ParamReader(req.params);
  const txResources = params.resources('tx-resource').filter(isTerminologyResource) as TerminologyResource[];
  const header = req.headers['x-too-costly-threshold'];
  const headerLimit = header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
  const limit = headerLimit ?? engine.maxExpansionSize;
  const ctx = new OperationContext({
    resolver: engine.registry.overlay(txResources),
    timeoutMs: engine.operationTimeoutMs,
    displayLanguage: params.string('displayLanguage'),
    acceptLanguage: acceptLanguage(req),
    versionRules: versionRules(params),
    valueSetVersionRules: params.strings('default-valueset-version'),
    maxExpansionSize: limit,
  });
  return { ctx, params, supplements: params.strings('useSupplement'), limit };
}
