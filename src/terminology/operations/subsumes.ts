/** CodeSystem/$subsumes (FHIR R4): equivalent | subsumes | subsumed-by | not-subsumed. */
import type { Parameters } from 'fhir/r4';
import { InvalidRequestError } from '../../errors.js';
import type { CodeSystemProvider } from '../codesystems/provider.js';

export type SubsumptionOutcome = 'equivalent' | 'subsumes' | 'subsumed-by' | 'not-subsumed';

export function subsumes(provider: CodeSystemProvider, codeA: string, codeB: string): Parameters {
  const a = provider.locate(codeA).concept;
  const b = provider.locate(codeB).concept;
  if (!a) throw new InvalidRequestError(`Unknown code '${codeA}' in the CodeSystem '${provider.system}'`, { code: 'code-invalid', txIssueType: 'invalid-code', expression: ['codeA'] });
  if (!b) throw new InvalidRequestError(`Unknown code '${codeB}' in the CodeSystem '${provider.system}'`, { code: 'code-invalid', txIssueType: 'invalid-code', expression: ['codeB'] });
  let outcome: SubsumptionOutcome = 'not-subsumed';
  if (a.code === b.code) outcome = 'equivalent';
  else if (provider.subsumes(a, b)) outcome = 'subsumes';
  else if (provider.subsumes(b, a)) outcome = 'subsumed-by';
  return { resourceType: 'Parameters', parameter: [{ name: 'outcome', valueCode: outcome }] };
}
