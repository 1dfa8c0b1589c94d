/**
 * The Express 5 floor: the same fixed bytes as bare-server.ts, but served through Express 5 with a
 * JSON body parser and one parameterised route, as src/fhir/app.ts does before any FHIR work.
 * The gap between this and bare node:http is what Express alone costs on this machine — the
 * evidence for (or against) a lean path in front of Express (issue 9).
 *   node --import tsx bench/express-floor-server.ts <responses.json> <port>
 */
import { readFileSync } from 'node:fs';
import express from 'express';

interface FixedResponse {
  method: string;
  url: string;
  status: number;
  contentType: string;
  body: string;
}

const [file, portArg] = process.argv.slice(2);
if (!file) throw new Error('usage: express-floor-server.ts <responses.json> [port]');
const fixed = new Map<string, FixedResponse & { bytes: Buffer }>();
for (const r of JSON.parse(readFileSync(file, 'utf8')) as FixedResponse[]) fixed.set(`${r.method} ${r.url}`, { ...r, bytes: Buffer.from(r.body, 'utf8') });

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.use(express.json({ type: ['application/json', 'application/fhir+json'], limit: '1mb' }));
app.all('/fhir/{*rest}', (req, res) => {
  const hit = fixed.get(`${req.method} ${req.originalUrl}`);
  if (!hit) {
    res.status(404).type('application/fhir+json').send('{"resourceType":"OperationOutcome"}');
    return;
  }
  res.status(hit.status).set('content-type', hit.contentType).send(hit.bytes);
});
const server = app.listen(Number(portArg ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`ready ${typeof address === 'object' && address ? address.port : ''}\n`);
});
server.keepAliveTimeout = 60_000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
