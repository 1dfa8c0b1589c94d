/**
 * Publishing endpoints, mounted under `/fhir` through `AppDeps.routers` (docs/sync.md):
 *
 *   GET  /fhir/$release                     releases (JSON list)
 *   GET  /fhir/$release?name=V3.8.2         one release manifest with its change report (JSON)
 *   POST /fhir/$release                     create a release (admin): Parameters name[, description, packageVersion]
 *   GET  /fhir/$package?release=V3.8.2      the release's FHIR NPM package (.tgz)
 *   GET  /fhir/packages/{name}              package registry metadata (npm style: versions, dist.tarball)
 *   GET  /fhir/packages/{name}/{version}    the package (.tgz), as FHIR package registries serve it
 *   GET  /fhir/packages/{name}/{version}/{file}  one file of the package, byte-identical (feed links)
 *   GET  /fhir/syndication.xml              Atom syndication feed (NCTS/Ontoserver style)
 *   POST /fhir/ConceptMap/$submit           submit an institution's ConceptMap (admin/bearer)
 */
import { Router, type Request, type Response } from 'express';
import type { ConceptMap, Parameters, Resource } from 'fhir/r4';
import { BusinessRuleError, InvalidRequestError, NotFoundError } from '../../errors.js';
import { sendFhir } from '../http/response.js';
import type { PublishDeps } from './deps.js';

function fhirBase(deps: PublishDeps, req: Request): string {
  if (deps.publicBaseUrl) return deps.publicBaseUrl.replace(/\/+$/, '');
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
}

function firstQuery(req: Request, name: string): string | undefined {
  const v = (req.query as Record<string, unknown>)[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s !== '' ? s : undefined;
}

/** A string parameter from a Parameters body or a plain JSON object body. */
function bodyParam(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Parameters & Record<string, unknown>;
  if (b.resourceType === 'Parameters') {
    const p = b.parameter?.find((x) => x.name === name);
    return p?.valueString ?? p?.valueCode ?? p?.valueId ?? undefined;
  }
  return typeof b[name] === 'string' ? (b[name] as string) : undefined;
}

function sendJson(res: Response, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value, null, 2);
  res.status(status);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

function sendBytes(res: Response, bytes: Buffer, contentType: string, headers: Record<string, string> = {}): void {
  res.status(200);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', bytes.length);
  res.end(bytes);
}

async function audit(deps: PublishDeps, req: Request, record: { actor: string; action: string; entity: string; outcome: 'success' | 'failure'; detail?: string }): Promise<void> {
  const clientAddress = req.ip ?? req.socket.remoteAddress;
  // An audit failure must not undo a completed action; the store reports its own health.
  await deps.audit?.append({ ...record, ...(clientAddress ? { clientAddress } : {}) }).catch(() => undefined);
}

function clientOf(req: Request): { authorization?: string; clientAddress?: string } {
  const address = req.ip ?? req.socket.remoteAddress;
  return { ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), ...(address ? { clientAddress: address } : {}) };
}

async function sendPackage(deps: PublishDeps, res: Response, ref: { release?: string; version?: string }): Promise<void> {
  const found = await deps.publisher.getPackage(ref);
  if (!found) throw new NotFoundError(`No release ${ref.release ?? `with package version ${ref.version}`}`);
  sendBytes(res, found.pkg.tgz, 'application/gzip', {
    'Content-Disposition': `attachment; filename="${found.pkg.filename}"`,
    ETag: `"${found.pkg.sha256}"`,
  });
}

function releaseRoutes(router: Router, deps: PublishDeps): void {
  router.get('/$release', async (req, res) => {
    const name = firstQuery(req, 'name');
    if (!name) {
      sendJson(res, 200, { releases: await deps.publisher.listReleases() });
      return;
    }
    const manifest = await deps.publisher.getRelease(name);
    if (!manifest) throw new NotFoundError(`No release named ${name}`);
    sendJson(res, 200, manifest);
  });

  router.post('/$release', async (req, res) => {
    const actor = await deps.authorize({ ...clientOf(req), action: 'release.create', entity: '$release' });
    const name = bodyParam(req.body, 'name') ?? firstQuery(req, 'name');
    if (!name) throw new InvalidRequestError("Parameter 'name' (the release name, e.g. V3.8.2) is required");
    const description = bodyParam(req.body, 'description');
    const packageVersion = bodyParam(req.body, 'packageVersion');
    const manifest = await deps.publisher.createRelease({ name, actor, ...(description ? { description } : {}), ...(packageVersion ? { packageVersion } : {}) });
    await audit(deps, req, { actor, action: 'release.create', entity: `$release?name=${manifest.name}`, outcome: 'success', detail: `${manifest.resources.length} resources` });
    const base = fhirBase(deps, req);
    sendJson(res, 201, manifest, { Location: `${base}/$release?name=${encodeURIComponent(manifest.name)}` });
  });
}

function packageRoutes(router: Router, deps: PublishDeps): void {
  router.get('/$package', async (req, res) => {
    const release = firstQuery(req, 'release');
    const version = firstQuery(req, 'version');
    if (!release && !version) throw new InvalidRequestError("Parameter 'release' (release name) or 'version' (package version) is required");
    await sendPackage(deps, res, release ? { release } : { version: version! });
  });

  router.get('/packages/:name', async (req, res) => {
    if (req.params.name !== deps.publisher.packageName) throw new NotFoundError(`No package ${req.params.name} here`);
    const base = fhirBase(deps, req);
    const releases = await deps.publisher.listReleases();
    const versions: Record<string, unknown> = {};
    for (const r of releases) {
      versions[r.packageVersion] = {
        name: r.packageName,
        version: r.packageVersion,
        fhirVersion: 'R4',
        description: `Release ${r.name}`,
        dist: { tarball: `${base}/packages/${encodeURIComponent(r.packageName)}/${encodeURIComponent(r.packageVersion)}` },
        url: `${base}/$release?name=${encodeURIComponent(r.name)}`,
      };
    }
    const latest = releases[releases.length - 1];
    sendJson(res, 200, { _id: deps.publisher.packageName, name: deps.publisher.packageName, 'dist-tags': latest ? { latest: latest.packageVersion } : {}, versions });
  });

  router.get('/packages/:name/:version', async (req, res) => {
    if (req.params.name !== deps.publisher.packageName) throw new NotFoundError(`No package ${req.params.name} here`);
    await sendPackage(deps, res, { version: String(req.params.version) });
  });

  router.get('/packages/:name/:version/:file', async (req, res) => {
    if (req.params.name !== deps.publisher.packageName) throw new NotFoundError(`No package ${req.params.name} here`);
    const found = await deps.publisher.getPackage({ version: String(req.params.version) });
    const file = found?.pkg.files.find((f) => f.filename === req.params.file);
    if (!file) throw new NotFoundError(`No file ${req.params.file} in ${req.params.name}#${req.params.version}`);
    sendBytes(res, file.bytes, 'application/fhir+json; charset=utf-8', { ETag: `"${file.sha256}"` });
  });

  router.get('/syndication.xml', async (req, res) => {
    const base = fhirBase(deps, req);
    const xml = await deps.publisher.renderFeed({ fhirBase: base, feedUrl: `${base}/syndication.xml` });
    sendBytes(res, Buffer.from(xml, 'utf8'), 'application/atom+xml; charset=utf-8');
  });
}

function submitRoutes(router: Router, deps: PublishDeps): void {
  router.post('/ConceptMap/$submit', async (req, res) => {
    const actor = await deps.authorize({ ...clientOf(req), action: 'conceptmap.submit', entity: 'ConceptMap/$submit' });
    const body = req.body as Resource | undefined;
    const cm = (body?.resourceType === 'Parameters'
      ? (body as Parameters).parameter?.find((p) => p.name === 'resource')?.resource
      : body) as ConceptMap | undefined;
    if (!cm || cm.resourceType !== 'ConceptMap') throw new InvalidRequestError('The body must be a ConceptMap, or Parameters with a resource parameter holding one');
    if (typeof cm.id !== 'string' || !/^[A-Za-z0-9\-.]{1,64}$/.test(cm.id)) throw new InvalidRequestError('The submitted ConceptMap needs a valid id');
    const result = await deps.submissions.validate(cm);
    if (!result.ok) {
      await audit(deps, req, { actor, action: 'conceptmap.submit', entity: `ConceptMap/${cm.id}`, outcome: 'failure', detail: `${result.badRows.length} bad rows` });
      const err = new BusinessRuleError(`${result.badRows.length} row(s) of ConceptMap/${cm.id} do not map to valid standard codes`);
      sendFhir(res, { status: err.status, resource: result.outcome });
      return;
    }
    const stored = await deps.submissions.save({ ...cm, id: cm.id }, actor);
    await audit(deps, req, { actor, action: 'conceptmap.submit', entity: `ConceptMap/${cm.id}/_history/${stored.meta?.versionId ?? ''}`, outcome: 'success', detail: `${result.checked} target codes valid` });
    const base = fhirBase(deps, req);
    const vid = stored.meta?.versionId;
    sendFhir(res, {
      status: 201,
      resource: stored,
      headers: { Location: `${base}/ConceptMap/${cm.id}${vid ? `/_history/${vid}` : ''}`, ...(vid ? { ETag: `W/"${vid}"` } : {}) },
    });
  });
}

export function createPublishRouter(deps: PublishDeps): Router {
  const router = Router();
  releaseRoutes(router, deps);
  packageRoutes(router, deps);
  submitRoutes(router, deps);
  return router;
}
