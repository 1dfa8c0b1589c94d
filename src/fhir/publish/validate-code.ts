/**
 * Adapts the engine's `CodeSystem/$validate-code` operation handler (the OperationTable entry) to
 * the `validateCode(system, code, version?)` function the ConceptMap submission check takes, so
 * submissions are judged by exactly the rules `$validate-code` answers with over HTTP (including
 * device-specific exam-item codes and the explanatory messages for invalid ones).
 */
import type { Parameters, Resource } from 'fhir/r4';
import type { CodeCheck, ValidateCode } from '../../sync/submit.js';
import type { OperationHandler } from '../operation-types.js';

function resultOf(output: Resource | { status: number; resource: Resource }): Resource {
  return 'status' in output && 'resource' in output && typeof output.status === 'number' ? output.resource : (output as Resource);
}

function parameter(p: Parameters, name: string): NonNullable<Parameters['parameter']>[number] | undefined {
  return p.parameter?.find((x) => x.name === name);
}

export function validateCodeVia(handler: OperationHandler): ValidateCode {
  return async (system, code, version): Promise<CodeCheck> => {
    const params: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'url', valueUri: system },
        { name: 'code', valueCode: code },
        ...(version ? [{ name: 'version', valueString: version }] : []),
      ],
    };
    const out = resultOf(await handler({ params, resourceType: 'CodeSystem', method: 'POST', headers: {} }));
    if (out.resourceType === 'OperationOutcome') {
      const text = (out as { issue?: Array<{ details?: { text?: string }; diagnostics?: string }> }).issue?.map((i) => i.details?.text ?? i.diagnostics).join('; ');
      return { ok: false, message: text || 'validation failed' };
    }
    const p = out as Parameters;
    const ok = parameter(p, 'result')?.valueBoolean === true;
    const message = parameter(p, 'message')?.valueString;
    return { ok, ...(message ? { message } : {}) };
  };
}
