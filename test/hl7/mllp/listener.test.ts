import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MllpListener } from '../../../src/hl7/mllp/listener.js';
import { frame, RawSender, waitFor } from '../helpers.js';

function echoListener(options: { idleTimeoutMs?: number; fail?: boolean } = {}) {
  return new MllpListener({
    host: '127.0.0.1',
    port: 0,
    maxFrameBytes: 1024,
    idleTimeoutMs: options.idleTimeoutMs ?? 0,
    onOversize: () => undefined,
    onFrame: async (p) => {
      if (options.fail && p.toString().includes('boom')) throw new Error('handler bug');
      return Buffer.from(`ECHO ${p.toString()}`);
    },
  });
}

test('idle connections are closed after idleTimeoutMs; active ones are not', async () => {
  const l = echoListener({ idleTimeoutMs: 300 });
  const port = await l.start();
  try {
    const idle = await RawSender.connect(port);
    const busy = await RawSender.connect(port);
    for (let i = 0; i < 6; i++) {
      busy.write(frame(`m${i}`));
      await busy.replies(i + 1);
      await new Promise((r) => setTimeout(r, 100));
    }
    await waitFor(() => idle.closed, 5000, 'idle close');
    assert.equal(busy.closed, false);
    assert.equal(l.counters.idleTimeouts, 1);
    busy.close();
  } finally {
    await l.close();
  }
});

test('a throwing handler is counted, gets no reply, and the connection keeps working', async () => {
  const l = echoListener({ fail: true });
  const port = await l.start();
  try {
    const s = await RawSender.connect(port);
    s.write(Buffer.concat([frame('boom'), frame('next')]));
    const [reply] = await s.replies(1);
    assert.equal(reply.toString(), 'ECHO next');
    assert.equal(l.counters.handlerErrors, 1);
    assert.equal(l.counters.frames, 2);
    s.close();
  } finally {
    await l.close();
  }
});

test('binds the configured host only', async () => {
  const l = echoListener();
  await l.start();
  try {
    // The npm server binds :: whatever it is told (NOTES.md T1); ours reports the loopback address.
    assert.equal(((l as unknown as { server: { address(): { address: string } } }).server.address()).address, '127.0.0.1');
  } finally {
    await l.close();
  }
});
