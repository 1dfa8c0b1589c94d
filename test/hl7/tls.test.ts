import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MllpListener } from '../../src/hl7/mllp/listener.js';
import { MllpClient } from '../../src/hl7/mllp/client.js';

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
if (!hasOpenssl) console.log('SKIP-PEER: MLLP TLS test skipped: openssl not found (needed to make a test certificate)');

test('MLLP over TLS: listener with cert/key, client verifying against the CA, ACK matched on MSA-2', { skip: hasOpenssl ? undefined : 'openssl not found' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hl7-tls-'));
  try {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const cert = readFileSync(join(dir, 'cert.pem'));
    const key = readFileSync(join(dir, 'key.pem'));
    const listener = new MllpListener({
      host: '127.0.0.1',
      port: 0,
      tls: { cert, key },
      maxFrameBytes: 4096,
      idleTimeoutMs: 0,
      onOversize: () => undefined,
      onFrame: async (p) => Buffer.from(`MSH|^~\\&|R|R|S|S|2026||ACK|A1|P|2.5\rMSA|AA|${p.toString().split('\r')[0].split('|')[9]}\r`),
    });
    const port = await listener.start();
    const good = new MllpClient({ host: '127.0.0.1', port, tls: { ca: cert }, connectTimeoutMs: 2000, ackTimeoutMs: 2000 });
    const ack = await good.send(Buffer.from('MSH|^~\\&|S|S|R|R|2026||ORM^O01|TLS1|P|2.5\r'), 'TLS1');
    assert.deepEqual([ack.code, ack.controlId], ['AA', 'TLS1']);
    good.close();
    const untrusting = new MllpClient({ host: '127.0.0.1', port, tls: {}, connectTimeoutMs: 2000, ackTimeoutMs: 2000 });
    await assert.rejects(untrusting.send(Buffer.from('MSH|^~\\&|S|S|R|R|2026||ORM^O01|TLS2|P|2.5\r'), 'TLS2'), /cannot connect/);
    await listener.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
