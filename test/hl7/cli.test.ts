import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createHl7AdminRouter } from '../../src/fhir/admin/hl7-routes.js';
import { ForbiddenError } from '../../src/errors.js';
import { createStore } from '../../src/store/index.js';
import { frame, orm, RawSender, waitFor } from './helpers.js';
import { startFixture } from './gateway-fixture.js';

const ROOT = new URL('../../', import.meta.url).pathname;

function cli(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/hl7-admin.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (err += c));
    child.on('close', (status) => resolve({ status, out, err }));
  });
}

test('CLI over HTTP: stats, list, release, unmapped; a wrong token fails', { timeout: 60_000 }, async () => {
  const f = await startFixture({ listener: { unmappedPolicy: 'hold' } });
  const authorize = async ({ authorization }: { authorization?: string }) => {
    if (authorization !== 'Bearer t0k') throw new ForbiddenError('bad token', 403);
    return 'admin';
  };
  const server = express().use('/fhir', createHl7AdminRouter({ admin: f.gateway.admin, authorize })).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir/admin/hl7`;
  try {
    const s = await RawSender.connect(f.port);
    s.write(frame(orm('CLI1', { obrs: [['LOCALX', '某检查']] })));
    await s.replies(1);
    const denied = await cli(['stats', '--url', url, '--token', 'wrong']);
    assert.equal(denied.status, 1);
    assert.match(denied.err, /HTTP 403/);
    const stats = await cli(['stats', '--url', url], { ADMIN_TOKEN: 't0k' });
    assert.equal(stats.status, 0, stats.err);
    assert.equal(JSON.parse(stats.out).heldNow, 1);
    const list = JSON.parse((await cli(['list', '--state', 'held', '--url', url, '--token', 't0k'])).out);
    assert.deepEqual(list.map((m: { controlId: string }) => m.controlId), ['CLI1']);
    const unmapped = JSON.parse((await cli(['unmapped', '--url', url, '--token', 't0k'])).out);
    assert.equal(unmapped[0].code, 'LOCALX');
    const released = JSON.parse((await cli(['release', String(list[0].id), '--url', url, '--token', 't0k'])).out);
    assert.deepEqual(released.released, [{ id: list[0].id, stillUnmapped: 1 }]);
    await waitFor(() => f.downstream.received.length === 1);
    s.close();
  } finally {
    server.close();
    await f.stop();
  }
});

test('CLI on the store (--data-dir): list, show and replay work without the server', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hl7-cli-'));
  try {
    const store = await createStore({ dataDir: dir });
    const [a] = await store.journal.append([{ route: 'ris', sender: 'HIS^H', controlId: 'S1', messageType: 'ORM^O01', inbound: Buffer.from(orm('S1')), state: 'queued' }]);
    await store.journal.markFailed(a.id, 'downstream rejected with AR', { dead: true });
    await store.close();
    const list = JSON.parse((await cli(['list', '--data-dir', dir, '--state', 'dead'])).out);
    assert.deepEqual(list.map((e: { controlId: string }) => e.controlId), ['S1']);
    const shown = JSON.parse((await cli(['show', String(a.id), '--body', '--data-dir', dir])).out);
    assert.match(shown.inbound, /胸部CT平扫/);
    const replay = JSON.parse((await cli(['replay', '--route', 'ris', '--data-dir', dir])).out);
    assert.deepEqual(replay.replayed, [a.id]);
    const again = await createStore({ dataDir: dir });
    assert.equal((await again.journal.get(a.id))?.state, 'queued');
    assert.equal((await again.audit.list({ action: 'hl7.replay' })).length, 1);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
