/**
 * Requests Node's HTTP parser rejects (unencoded non-ASCII in the request line) are answered with
 * an OperationOutcome, not an empty 400, and the server keeps serving.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { start } from '../../src/main.js';

function rawRequest(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

test('a request line with raw UTF-8 gets a 400 OperationOutcome explaining percent-encoding', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'client-error-'));
  const config = defaultConfig();
  config.http.host = '127.0.0.1';
  config.http.port = 0;
  config.store.dataDir = dataDir;
  config.terminology.loadFhirCore = false;
  const running = await start(config, silentLogger, { env: {} });
  try {
    const port = (running.server.address() as { port: number }).port;
    const reply = await rawRequest(port, Buffer.from('GET /fhir/ValueSet/$expand?filter=颅脑 HTTP/1.1\r\nHost: x\r\n\r\n', 'utf8'));
    assert.match(reply, /^HTTP\/1\.1 400 /);
    const body = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)) as { resourceType: string; issue: Array<{ code: string; details: { text: string } }> };
    assert.equal(body.resourceType, 'OperationOutcome');
    assert.equal(body.issue[0]?.code, 'structure');
    assert.match(body.issue[0]!.details.text, /percent-encoded/);
    const ok = await fetch(`http://127.0.0.1:${port}/fhir/metadata`);
    assert.equal(ok.status, 200, 'the server keeps serving');
  } finally {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
