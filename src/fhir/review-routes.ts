/**
 * Reviewers record their decisions here (issue 5: "once a person confirms or corrects a mapping for
 * a sender, it is stored as that sender's ConceptMap entry and used first next time").
 *
 *   POST /fhir/ConceptMap/$review   (admin bearer)  Parameters:
 *     sender     string, required   the sending institution, as the HL7 gateway names it (MSH-3^MSH-4)
 *     name       string, required   the local exam name as sent
 *     localCode  string, optional   the local order code (OBR-4.1); remembered too, and looked up first
 *     target     code | string | Coding, 0..*   the standard item(s), one per exam, in order; none = "reviewed:
 *                not a standard exam". A bare code is looked up in exam-item, then us-/pet-/spect-exam-item
 *                (disjoint code spaces); a Coding with a system is checked in that system only.
 *     reviewer   string, optional   who decided (kept in the map's comment)
 *
 * Every target is checked before anything is written (422 with one issue per bad target otherwise).
 * The answer is the sender's updated ConceptMap. The decision is audited; refusals are audited by the
 * authorizer.
 */
import { Router, type Request } from 'express';
import type { ConceptMap, Parameters, ParametersParameter } from 'fhir/r4';
import { InvalidRequestError, TerminologyError, type IssueInit } from '../errors.js';
import type { LearnedTarget, ReviewedDecision } from '../matching/learned.js';
import type { AuditStore } from '../store/store.js';
import { sendFhir } from './http/response.js';

export interface ReviewDeps {
  authorize(request: { authorization?: string; clientAddress?: string; action: string; entity?: string }): Promise<string>;
  /** Stores the decision in the sender's learned ConceptMap and returns the map. */
  record(decision: ReviewedDecision): Promise<ConceptMap>;
  /**
   * The item a target names: in `system` when given, else in exam-item or an extension item CodeSystem;
   * undefined when no loaded CodeSystem has it.
   */
  target(code: string, system?: string): { system: string; code: string; display: string } | undefined;
  /** Whether `system` is a CodeSystem a target may come from (exam-item, us-/pet-/spect-exam-item). */
  knowsSystem(system: string): boolean;
  audit: AuditStore;
}

function stringParams(body: unknown, name: string): string[] {
  const params = (body as Parameters | undefined)?.parameter ?? [];
  return params
    .filter((p) => p.name === name)
    .map((p) => p.valueString ?? p.valueCode ?? p.valueCoding?.code ?? '')
    .filter((v) => v.trim() !== '');
}

/** One `target` parameter: the code and, for a Coding that names one, its system. */
function targetParams(body: unknown): Array<{ code: string; system?: string }> {
  const params: ParametersParameter[] = (body as Parameters | undefined)?.parameter ?? [];
  return params
    .filter((p) => p.name === 'target')
    .map((p) => ({ code: (p.valueCode ?? p.valueString ?? p.valueCoding?.code ?? '').trim(), ...(p.valueCoding?.system ? { system: p.valueCoding.system } : {}) }))
    .filter((t) => t.code !== '');
}

function checkTarget(deps: ReviewDeps, t: { code: string; system?: string }): LearnedTarget | IssueInit {
  if (t.system !== undefined && !deps.knowsSystem(t.system)) {
    return { code: 'not-supported', txIssueType: 'not-found', message: `'${t.system}' is not a code system a reviewed target may come from (exam-item, us-exam-item, pet-exam-item, spect-exam-item)`, expression: ['target'] };
  }
  const item = deps.target(t.code, t.system);
  if (item) return item;
  const where = t.system !== undefined ? `the code system ${t.system}` : 'the exam-item, us-exam-item, pet-exam-item or spect-exam-item code systems';
  return { code: 'code-invalid', txIssueType: 'invalid-code', message: `'${t.code}' is not a code of ${where}`, expression: ['target'] };
}

function required(body: unknown, name: string): string {
  const [value] = stringParams(body, name);
  if (value === undefined) throw new InvalidRequestError(`Parameter '${name}' is required`, { code: 'required', expression: [name] });
  return value;
}

function clientOf(req: Request): { authorization?: string; clientAddress?: string } {
  const address = req.ip ?? req.socket.remoteAddress;
  return { ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), ...(address ? { clientAddress: address } : {}) };
}

export function createReviewRouter(deps: ReviewDeps): Router {
  const router = Router();
  router.post('/ConceptMap/$review', async (req, res) => {
    const client = clientOf(req);
    const actor = await deps.authorize({ ...client, action: 'mapping.review', entity: 'ConceptMap/$review' });
    if ((req.body as Parameters | undefined)?.resourceType !== 'Parameters') {
      throw new InvalidRequestError('The body must be a Parameters resource');
    }
    const sender = required(req.body, 'sender');
    const name = required(req.body, 'name');
    const [localCode] = stringParams(req.body, 'localCode');
    const [reviewer] = stringParams(req.body, 'reviewer');
    const targets: LearnedTarget[] = [];
    const bad: IssueInit[] = [];
    for (const t of targetParams(req.body)) {
      const checked = checkTarget(deps, t);
      if ('message' in checked) bad.push(checked);
      else targets.push(checked);
    }
    if (bad.length > 0) throw new TerminologyError(422, bad);
    const map = await deps.record({
      sender, name, targets,
      ...(localCode ? { localCode } : {}),
      reviewer: reviewer ?? actor,
    });
    await deps.audit
      .append({
        actor, action: 'mapping.review', outcome: 'success',
        entity: `ConceptMap/${map.id}/_history/${map.meta?.versionId ?? ''}`,
        detail: `${sender}: ${targets.length} target(s)`,
        ...(client.clientAddress ? { clientAddress: client.clientAddress } : {}),
      })
      .catch(() => undefined);
    sendFhir(res, { status: 200, resource: map });
  });
  return router;
}
