/**
 * Reviewers record their decisions here (issue 5: "once a person confirms or corrects a mapping for
 * a sender, it is stored as that sender's ConceptMap entry and used first next time").
 *
 *   POST /fhir/ConceptMap/$review   (admin bearer)  Parameters:
 *     sender     string, required   the sending institution, as the HL7 gateway names it (MSH-3^MSH-4)
 *     name       string, required   the local exam name as sent
 *     localCode  string, optional   the local order code (OBR-4.1); remembered too, and looked up first
 *     target     code, 0..*         the standard exam-item code(s); none = "reviewed: not a standard exam"
 *     reviewer   string, optional   who decided (kept in the map's comment)
 *
 * Every target is checked against the exam-item code system before anything is written (422 with
 * one issue per bad code otherwise). The answer is the sender's updated ConceptMap. The decision is
 * audited; refusals are audited by the authorizer.
 */
import { Router, type Request } from 'express';
import type { ConceptMap, Parameters } from 'fhir/r4';
import { InvalidRequestError, TerminologyError, type IssueInit } from '../errors.js';
import type { LearnedTarget, ReviewedDecision } from '../matching/learned.js';
import type { AuditStore } from '../store/store.js';
import { sendFhir } from './http/response.js';

export interface ReviewDeps {
  authorize(request: { authorization?: string; clientAddress?: string; action: string; entity?: string }): Promise<string>;
  /** Stores the decision in the sender's learned ConceptMap and returns the map. */
  record(decision: ReviewedDecision): Promise<ConceptMap>;
  /** The exam item's display, or undefined when the code is not an exam item. */
  display(code: string): string | undefined;
  audit: AuditStore;
}

function stringParams(body: unknown, name: string): string[] {
  const params = (body as Parameters | undefined)?.parameter ?? [];
  return params
    .filter((p) => p.name === name)
    .map((p) => p.valueString ?? p.valueCode ?? p.valueCoding?.code ?? '')
    .filter((v) => v.trim() !== '');
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
    for (const code of stringParams(req.body, 'target')) {
      const display = deps.display(code);
      if (display === undefined) {
        bad.push({ code: 'code-invalid', txIssueType: 'invalid-code', message: `'${code}' is not a code of the exam-item code system`, expression: ['target'] });
      } else {
        targets.push({ code, display });
      }
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
