/**
 * Seeding a subscriber from the upstream's FHIR NPM package instead of searching every resource:
 * read the .tgz (ours or any FHIR package with CodeSystems/ValueSets/ConceptMaps), turn its
 * resources into a collection Bundle for `SyncClient.seed`, and take the package's `date` as the
 * point increments continue from. For our packages `date` is the release time, and every pinned
 * version was written at or before it, so `_history?_since=date` misses nothing.
 */
import type { Bundle, FhirResource } from 'fhir/r4';
import { isTerminologyType } from './origin.js';
import { readTgz } from './tar.js';
import { UpstreamError, type FetchFn } from './upstream.js';

export interface PackageSnapshot {
  name: string;
  version: string;
  bundle: Bundle;
  snapshotTime: string;
}

/** package.json `date` (`YYYYMMDDhhmmss`, or an ISO date) → ISO instant. */
function packageDate(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?$/.exec(raw);
  const iso = m ? `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}Z` : raw;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

function parseJson(name: string, data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8')) as unknown;
  } catch (err) {
    throw new UpstreamError(`package: ${name} is not JSON (${(err as Error).message})`, false);
  }
}

export function readPackageSnapshot(tgz: Buffer): PackageSnapshot {
  let entries;
  try {
    entries = readTgz(tgz);
  } catch (err) {
    throw new UpstreamError(`package: not a readable .tgz (${(err as Error).message})`, false);
  }
  const files = new Map(entries.map((e) => [e.name, e.data]));
  const manifestBytes = files.get('package/package.json');
  if (!manifestBytes) throw new UpstreamError('package: package/package.json is missing', false);
  const manifest = parseJson('package/package.json', manifestBytes) as { name?: unknown; version?: unknown; date?: unknown };
  const snapshotTime = packageDate(manifest.date);
  if (!snapshotTime) throw new UpstreamError(`package: package.json has no usable date (${JSON.stringify(manifest.date)}); increments could not start from it`, false);
  const resources: FhirResource[] = [];
  for (const [name, data] of files) {
    if (!/^package\/[^/]+\.json$/.test(name) || name === 'package/package.json' || name.endsWith('/.index.json')) continue;
    const r = parseJson(name, data) as FhirResource;
    if (isTerminologyType(r?.resourceType)) resources.push(r);
  }
  return {
    name: String(manifest.name ?? ''),
    version: String(manifest.version ?? ''),
    bundle: { resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) },
    snapshotTime,
  };
}

/** Downloads a package (.tgz) with a timeout. */
export async function fetchPackage(url: string, options: { timeoutMs: number; fetch?: FetchFn }): Promise<Buffer> {
  const f = options.fetch ?? ((input, init) => fetch(input, init));
  let res: Response;
  try {
    res = await f(url, { headers: { accept: 'application/gzip, application/tar+gzip, application/octet-stream' }, signal: AbortSignal.timeout(options.timeoutMs) });
    if (!res.ok) throw new UpstreamError(`GET ${url}: HTTP ${res.status}`, res.status >= 500);
    return Buffer.from(await res.arrayBuffer());
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    const e = err as Error;
    if (e.name === 'TimeoutError') throw new UpstreamError(`GET ${url}: timed out after ${options.timeoutMs} ms`, true);
    throw new UpstreamError(`GET ${url}: ${e.message}`, true);
  }
}
