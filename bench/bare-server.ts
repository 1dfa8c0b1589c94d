/**
 * The physical limit: a bare `node:http` server answering each benchmarked request with a fixed,
 * pre-encoded body of exactly the bytes the real server returned for it. No routing framework, no
 * parsing, no engine — one Map lookup by method + URL. Run as a child process by bench/run.ts:
 *   node --import tsx bench/bare-server.ts <responses.json> <port>
 * responses.json: [{ method, url, status, contentType, body }]. Prints `ready <port>` when listening.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

interface FixedResponse {
  method: string;
  url: string;
  status: number;
  contentType: string;
  body: string;
}

const [file, portArg] = process.argv.slice(2);
if (!file) throw new Error('usage: bare-server.ts <responses.json> [port]');
const fixed = new Map<string, { status: number; headers: Record<string, string | number>; body: Buffer }>();
for (const r of JSON.parse(readFileSync(file, 'utf8')) as FixedResponse[]) {
  const body = Buffer.from(r.body, 'utf8');
  fixed.set(`${r.method} ${r.url}`, {
    status: r.status,
    headers: { 'content-type': r.contentType, 'content-length': body.length },
    body,
  });
}
const notFound = Buffer.from('{"resourceType":"OperationOutcome"}');

const server = createServer((req, res) => {
  // Drain the request body (POST) before answering, as any real server must.
  req.resume();
  req.on('end', () => {
    const hit = fixed.get(`${req.method} ${req.url}`);
    if (!hit) {
      res.writeHead(404, { 'content-type': 'application/fhir+json', 'content-length': notFound.length });
      res.end(notFound);
      return;
    }
    res.writeHead(hit.status, hit.headers);
    res.end(hit.body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(portArg ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`ready ${typeof address === 'object' && address ? address.port : ''}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
