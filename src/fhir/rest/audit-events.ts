/**
 * The audit trail as FHIR R4 AuditEvent resources (admin only): read by id (the record's seq) and
 * search with `date` (prefixes) and `entity`, newest first, offset paging.
 */
import type { AuditEvent, BundleEntry, Resource } from 'fhir/r4';
import { NotFoundError, operationOutcome, toIssue } from '../../errors.js';
import type { AuditQuery, AuditRecord, AuditStore } from '../../store/store.js';
import type { AdminGuard } from '../auth.js';
import type { FhirRequest, FhirResponse } from '../http/response.js';
import { newBundle, offsetLinks, pageUrl } from './bundle.js';
import { boundsOf, matchesDate, parseDateCondition, type DateCondition } from './date-param.js';
import { parseCount, parseOffset } from './paging.js';

const REST_ACTIONS: Record<string, { code: string; action: AuditEvent['action'] }> = {
  create: { code: 'create', action: 'C' },
  read: { code: 'read', action: 'R' },
  update: { code: 'update', action: 'U' },
  delete: { code: 'delete', action: 'D' },
};

/** R4 AuditEvent.outcome: 0 success, 4 minor failure (refused), 8 serious failure. */
const OUTCOME: Record<AuditRecord['outcome'], AuditEvent['outcome']> = { success: '0', denied: '4', failure: '8' };

export function toAuditEvent(r: AuditRecord): AuditEvent {
  const rest = REST_ACTIONS[r.action];
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    id: String(r.seq),
    type: rest
      ? { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' }
      : { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110100', display: 'Application Activity' },
    subtype: [rest
      ? { system: 'http://hl7.org/fhir/restful-interaction', code: rest.code }
      : { system: 'urn:rimag:audit-action', code: r.action }],
    action: rest?.action ?? 'E',
    recorded: r.time,
    outcome: OUTCOME[r.outcome],
    ...(r.detail ? { outcomeDesc: r.detail } : {}),
    agent: [{
      who: { display: r.actor },
      requestor: true,
      ...(r.clientAddress ? { network: { address: r.clientAddress, type: '2' as const } } : {}),
    }],
    source: { observer: { display: 'rimag-terminology-server' } },
    entity: [
      ...(r.entity ? [{ what: { reference: r.entity } }] : []),
      // Tamper evidence (issue 7): the chain link of this record.
      { description: 'audit-chain', detail: [{ type: 'prevHash', valueString: r.prevHash }, { type: 'hash', valueString: r.hash }] },
    ],
  };
  return event;
}

export async function readAuditEvent(audit: AuditStore, guard: AdminGuard, id: string, req: FhirRequest): Promise<FhirResponse> {
  await guard.authorize(req, 'audit.read', `AuditEvent/${id}`);
  if (!/^\d+$/.test(id)) throw new NotFoundError(`AuditEvent/${id} is not known`, { txIssueType: undefined });
  const record = (await audit.list({})).find((r) => r.seq === Number(id));
  if (!record) throw new NotFoundError(`AuditEvent/${id} is not known`, { txIssueType: undefined });
  return { status: 200, resource: toAuditEvent(record) };
}

const AUDIT_PARAMS = new Set(['date', 'entity', 'action', '_count', '_offset', '_format', '_pretty']);

export async function searchAuditEvents(audit: AuditStore, guard: AdminGuard, req: FhirRequest): Promise<FhirResponse> {
  await guard.authorize(req, 'audit.read', 'AuditEvent');
  const unknown = Object.keys(req.query).filter((k) => !AUDIT_PARAMS.has(k));
  const dates: DateCondition[] = (req.query.date ?? []).map((v) => parseDateCondition(v, 'date'));
  const bounds = boundsOf(dates);
  // `entity=CodeSystem/x` matches records of every version (`CodeSystem/x/_history/n`), so filter here.
  const entity = req.query.entity?.[req.query.entity.length - 1]?.replace(/^.*\/fhir\//, '');
  const action = req.query.action?.[req.query.action.length - 1];
  const query: AuditQuery = {
    ...(bounds.from ? { from: bounds.from } : {}),
    ...(bounds.to ? { to: bounds.to } : {}),
    ...(action ? { action } : {}),
  };
  const records = (await audit.list(query))
    .filter((r) => dates.every((d) => matchesDate(Date.parse(r.time), d)))
    .filter((r) => !entity || r.entity === entity || r.entity?.startsWith(`${entity}/`) === true || r.entity?.startsWith(`${entity} `) === true)
    .sort((a, b) => b.seq - a.seq);
  const count = parseCount(req.query);
  const offset = parseOffset(req.query);
  const entry: BundleEntry<Resource>[] = records.slice(offset, offset + count).map((r) => ({
    fullUrl: `${req.baseUrl}/AuditEvent/${r.seq}`,
    resource: toAuditEvent(r),
    search: { mode: 'match' },
  }));
  if (unknown.length > 0) {
    entry.push({ resource: operationOutcome([toIssue({ severity: 'warning', code: 'not-supported', message: `Search parameter(s) ignored: ${unknown.join(', ')}` })]), search: { mode: 'outcome' } });
  }
  const echoed = Object.fromEntries(Object.entries(req.query).filter(([k]) => AUDIT_PARAMS.has(k)));
  const links = offsetLinks((paging) => pageUrl(req.baseUrl, '/AuditEvent', echoed, paging), { offset, count, total: records.length });
  return { status: 200, resource: newBundle('searchset', records.length, links, entry) };
}
