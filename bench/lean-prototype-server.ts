/**
 * A measurement prototype of the lean path proposed in docs/bench.md (not the product): the same
 * registry, OperationTable, dispatcher (`runOperation`) and error rendering as the server, behind a
 * bare node:http listener instead of Express. With `--cache`, rendered answers are kept per URL +
 * Accept-Language (the design's step 6; the registry never changes during the bench).
 * It composes the engine the way src/main.ts does (content → store → registry → operations) but
 * without HL7, sync or matching, which the measured GET operations do not use.
 *   node --import tsx bench/lean-prototype-server.ts <dataDir> <port> [--cache]
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { CodeSystem } from 'fhir/r4';
import { REPO_ROOT, defaultConfig } from '../src/config.js';
import { loadContentDirs } from '../src/content/loader.js';
import { errorResponse, FHIR_JSON, type FhirRequest, type FhirResponse } from '../src/fhir/http/response.js';
import { runOperation } from '../src/fhir/operation-dispatch.js';
import { createOperationTable } from '../src/fhir/operations/table.js';
import { CS, canonicalBase, codeSystemUrl } from '../src/standard/canonical.js';
import { examItemProviderFactory } from '../src/standard/exam-item-provider.js';
import { createStore } from '../src/store/index.js';
import { loadFhirCore } from '../src/terminology/fhir-core.js';
import { TerminologyRegistry, type TerminologyResource } from '../src/terminology/registry.js';

const [dataDir, portArg, cacheFlag] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: lean-prototype-server.ts <dataDir> [port] [--cache]');
const config = defaultConfig();
const store = await createStore({ dataDir, mongodbDatabase: config.store.mongodbDatabase, pollIntervalMs: config.store.pollIntervalMs });
await loadContentDirs(store, config.contentDirs, { baseDir: REPO_ROOT, actor: 'content-load' });
const registry = new TerminologyRegistry();
loadFhirCore(registry);
for (const v of await store.resources.listCurrent()) {
  if (!v.deleted && ['CodeSystem', 'ValueSet', 'ConceptMap'].includes(v.resourceType)) registry.add(v.resource as TerminologyResource);
}
const resolve = (url: string) => registry.findCodeSystem(url) as CodeSystem | undefined;
registry.registerProviderFactory(codeSystemUrl(canonicalBase(), CS.examItem), examItemProviderFactory({ resolve }));
const table = createOperationTable({ registry, maxExpansionSize: config.terminology.maxExpansionSize, operationTimeoutMs: config.terminology.operationTimeoutMs });
const knownTypes = new Set(['CodeSystem', 'ValueSet', 'ConceptMap']);
const cache = cacheFlag === '--cache' ? new Map<string, { status: number; body: Buffer }>() : undefined;

const OPERATION_PATH = /^\/fhir\/(CodeSystem|ValueSet|ConceptMap)(?:\/([^/$]+))?\/\$([a-z-]+)$/;

function write(res: ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, { 'content-type': FHIR_JSON, 'content-length': body.length });
  res.end(body);
}

function render(response: FhirResponse): { status: number; body: Buffer } {
  return { status: response.status, body: Buffer.from(response.resource === undefined ? '' : JSON.stringify(response.resource)) };
}

async function lean(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const key = `${url}\n${req.headers['accept-language'] ?? ''}`;
  const hit = cache?.get(key);
  if (hit) return write(res, hit.status, hit.body);
  const q = url.indexOf('?');
  const m = OPERATION_PATH.exec(q < 0 ? url : url.slice(0, q));
  let out: { status: number; body: Buffer };
  if (req.method !== 'GET' || !m) {
    out = { status: 404, body: Buffer.from('{"resourceType":"OperationOutcome"}') };
  } else {
    const query: Record<string, string[]> = {};
    for (const [k, v] of new URLSearchParams(q < 0 ? '' : url.slice(q + 1))) (query[k] ??= []).push(v);
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const fhirRequest: FhirRequest = { method: 'GET', segments: [], query, body: undefined, headers, baseUrl: `http://${req.headers.host}/fhir` };
    try {
      out = render(await runOperation(table, { resourceType: m[1]!, ...(m[2] ? { id: decodeURIComponent(m[2]) } : {}), name: m[3]! }, fhirRequest, knownTypes));
    } catch (err) {
      const { status, outcome } = errorResponse(err);
      out = render({ status, resource: outcome });
    }
    cache?.set(key, out);
  }
  write(res, out.status, out.body);
}

const server = createServer((req, res) => {
  req.resume();
  void lean(req, res);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(portArg ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`ready ${typeof address === 'object' && address ? address.port : ''}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
