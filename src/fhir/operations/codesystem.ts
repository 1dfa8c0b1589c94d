/** Thin handlers: CodeSystem/$lookup, CodeSystem/$validate-code, CodeSystem/$subsumes. */
import type { CodeSystem } from 'fhir/r4';
import { InvalidRequestError, NotFoundError } from '../../errors.js';
import type { CodeSystemProvider } from '../../terminology/codesystems/provider.js';
import { lookupCode } from '../../terminology/operations/lookup.js';
import { subsumes } from '../../terminology/operations/subsumes.js';
import { validateCode } from '../../terminology/operations/validate-code.js';
import { resolveCodeSystem, supplementsFor } from '../../terminology/valuesets/resolve.js';
import type { OperationHandler, OperationRequest } from './types.js';
import { requestContext, type EngineOptions, type RequestContext } from './request-context.js';
import { codingsFrom, validateOptions } from './valueset.js';

function unknownSystem(system: string, version: string | undefined, known: string[]): NotFoundError {
  if (version !== undefined && known.length > 0) {
    return new NotFoundError(`A definition for CodeSystem '${system}' version '${version}' could not be found. Valid versions: ${known.join(',')}`, { expression: ['system'] });
  }
  return new NotFoundError(`A definition for CodeSystem '${system}' could not be found`, { expression: ['system'] });
}

/** The provider for the instance id, or for system (+version); 404 when unknown. */
function targetProvider(rc: RequestContext, req: OperationRequest, system: string | undefined, version: string | undefined): CodeSystemProvider {
  const { ctx } = rc;
  if (req.id !== undefined) {
    const cs = ctx.resolver.byId('CodeSystem', req.id) as CodeSystem | undefined;
    if (!cs) throw new NotFoundError(`CodeSystem/${req.id} not found`);
    return ctx.resolver.provider(cs, supplementsFor(ctx, cs, rc.supplements));
  }
  if (!system) throw new InvalidRequestError('No code system was identified: give system (or coding) or an instance id', { code: 'required', expression: ['system'] });
  const resolved = resolveCodeSystem(ctx, system, version, rc.supplements);
  if (!resolved.provider) throw unknownSystem(system, version, resolved.knownVersions);
  for (const s of rc.supplements) {
    if (!resolved.provider.supplements.some((u) => u === s || u.startsWith(`${s}|`))) {
      throw new NotFoundError(`Required supplement not found: ${s}`);
    }
  }
  return resolved.provider;
}

export function lookupHandler(engine: EngineOptions): OperationHandler {
  return async (req) => {
    const rc = requestContext(engine, req);
    const { params } = rc;
    const coding = params.coding('coding');
    const system = coding?.system ?? params.string('system');
    const code = coding?.code ?? params.string('code');
    if (code === undefined) throw new InvalidRequestError('Parameter code (or coding) is required', { code: 'required', expression: ['code'] });
    const provider = targetProvider(rc, req, system, coding?.version ?? params.string('version'));
    return lookupCode(rc.ctx, { provider, code, properties: params.strings('property') });
  };
}

export function codeSystemValidateHandler(engine: EngineOptions): OperationHandler {
  return async (req) => {
    const rc = requestContext(engine, req);
    const { params } = rc;
    const input = codingsFrom(rc, 'url');
    const first = input.codings[0];
    if (first && first.system === undefined) first.system = params.string('system');
    if (first && first.version === undefined && input.kind === 'code') first.version = params.string('version');
    let codeSystem: CodeSystem | undefined;
    if (req.id !== undefined) {
      codeSystem = rc.ctx.resolver.byId('CodeSystem', req.id) as CodeSystem | undefined;
      if (!codeSystem) throw new NotFoundError(`CodeSystem/${req.id} not found`);
      for (const c of input.codings) c.system ??= codeSystem.url;
    }
    return validateCode(rc.ctx, { target: 'codesystem', ...input, codeSystem, ...validateOptions(rc), supplements: rc.supplements });
  };
}

export function subsumesHandler(engine: EngineOptions): OperationHandler {
  return async (req) => {
    const rc = requestContext(engine, req);
    const { params } = rc;
    const a = params.coding('codingA');
    const b = params.coding('codingB');
    const codeA = a?.code ?? params.string('codeA');
    const codeB = b?.code ?? params.string('codeB');
    if (codeA === undefined || codeB === undefined) throw new InvalidRequestError('codeA and codeB (or codingA and codingB) are required', { code: 'required', expression: ['codeA'] });
    const system = params.string('system') ?? a?.system ?? b?.system;
    if (a?.system && b?.system && a.system !== b.system) throw new InvalidRequestError('codingA and codingB must be from the same code system', { expression: ['codingB'] });
    const provider = targetProvider(rc, req, system, params.string('version') ?? a?.version);
    return subsumes(provider, codeA, codeB);
  };
}
