/**
 * The forwarder's pipelined delivered-marks: the next message is sent while the previous mark is
 * being made durable (one message on the wire at a time, in journal order); a mark that fails makes
 * the forwarder back off and resend from the oldest message still queued, so nothing is lost and the
 * order of first deliveries is kept.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHl7Config } from '../../src/hl7/config.js';
import { emptyCounters } from '../../src/hl7/inbound.js';
import { RouteForwarder } from '../../src/hl7/forwarder.js';
import { MllpClient } from '../../src/hl7/mllp/client.js';
import { silentLogger } from '../../src/logger.js';
import { Downstream, orm, waitFor } from './helpers.js';
import { MemoryJournal } from './memory-journal.js';

/** Delivered-marks complete only when released (or fail when told to). */
class SlowMarkJournal extends MemoryJournal {
  held: Array<{ id: number; finish: (err?: Error) => void }> = [];
  override markDelivered(id: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.held.push({
        id,
        finish: (err) => (err ? reject(err) : super.markDelivered(id).then(resolve, reject)),
      }),
    );
  }
  releaseAll(err?: Error): void {
    const held = this.held;
    this.held = [];
    for (const h of held) h.finish(err);
  }
}

async function setup(journal: MemoryJournal, downstream: Downstream) {
  const port = await downstream.start();
  const config = parseHl7Config({ listeners: [{ name: 'his', port: 0, route: 'ris' }], routes: [{ name: 'ris', host: '127.0.0.1', port, retry: { initialMs: 50, maxMs: 100 } }] }, {})!;
  const route = config.routes[0]!;
  const client = new MllpClient({ host: '127.0.0.1', port, connectTimeoutMs: 1000, ackTimeoutMs: 5000 });
  const counters = emptyCounters();
  const forwarder = new RouteForwarder({ route, journal, client, logger: silentLogger, counters, pollMs: 50 });
  return { forwarder, counters };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `P-${String(i).padStart(3, '0')}`);

test('forwarder: sends the next message while earlier delivered-marks are not yet durable, in order', async () => {
  const journal = new SlowMarkJournal();
  const downstream = new Downstream();
  const { forwarder, counters } = await setup(journal, downstream);
  try {
    const sent = ids(5);
    await journal.append(sent.map((controlId) => ({ route: 'ris', sender: 'HIS^H', controlId, messageType: 'ORM^O01', inbound: Buffer.from(orm(controlId)), state: 'queued' as const })));
    forwarder.start();
    await waitFor(() => downstream.received.length === 5, 10_000, 'all five sent');
    assert.deepEqual(downstream.controlIds(), sent, 'in journal order, each once');
    assert.equal(journal.held.length, 5, 'no mark was durable yet when the later messages went out');
    assert.equal(counters.forwarded, 0, 'counted only once recorded');
    journal.releaseAll();
    await waitFor(() => counters.forwarded === 5, 5000, 'marks recorded');
    assert.deepEqual((await journal.list({})).map((e) => e.state), Array(5).fill('delivered'));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(downstream.received.length, 5, 'nothing sent twice');
  } finally {
    await forwarder.stop();
    await downstream.stop();
  }
});

test('forwarder: a failed delivered-mark resends from the oldest unrecorded message (nothing lost, first-delivery order kept)', async () => {
  const journal = new SlowMarkJournal();
  const downstream = new Downstream();
  const { forwarder, counters } = await setup(journal, downstream);
  try {
    const sent = ids(3);
    await journal.append(sent.map((controlId) => ({ route: 'ris', sender: 'HIS^H', controlId, messageType: 'ORM^O01', inbound: Buffer.from(orm(controlId)), state: 'queued' as const })));
    forwarder.start();
    await waitFor(() => downstream.received.length === 3, 10_000, 'all three sent');
    journal.releaseAll(new Error('disk I/O error'));
    await waitFor(() => downstream.received.length === 6, 10_000, 'the unrecorded messages sent again');
    assert.deepEqual(downstream.controlIds(), [...sent, ...sent]);
    journal.releaseAll();
    await waitFor(() => counters.forwarded === 3, 5000, 'marks recorded after the retry');
    assert.deepEqual((await journal.list({})).map((e) => e.state), Array(3).fill('delivered'));
  } finally {
    await forwarder.stop();
    await downstream.stop();
  }
});

/** Counts journal reads of the queue. */
class CountingReadsJournal extends MemoryJournal {
  reads = 0;
  override pending(route: string, limit: number) {
    this.reads += 1;
    return super.pending(route, limit);
  }
}

const queued = (controlId: string) => ({ route: 'ris', sender: 'HIS^H', controlId, messageType: 'ORM^O01', inbound: Buffer.from(orm(controlId)), state: 'queued' as const });

test('forwarder: durable appends handed over in memory are delivered in order without reading them back', async () => {
  const journal = new CountingReadsJournal();
  const downstream = new Downstream();
  const { forwarder, counters } = await setup(journal, downstream);
  try {
    forwarder.start();
    await waitFor(() => journal.reads >= 1, 5000, 'the first read (empty queue)');
    const sent = ids(20);
    for (const controlId of sent) for (const e of await journal.append([queued(controlId)])) forwarder.offer(e);
    await waitFor(() => counters.forwarded === 20, 10_000, 'all delivered');
    assert.deepEqual(downstream.controlIds(), sent, 'in journal order, each once');
    assert.ok(journal.reads <= 3, `the queue was not read back per message (${journal.reads} reads)`);
  } finally {
    await forwarder.stop();
    await downstream.stop();
  }
});

test('forwarder: offers made while a backlog is still in the journal wait their turn (order kept)', async () => {
  const journal = new MemoryJournal();
  const downstream = new Downstream();
  const { forwarder, counters } = await setup(journal, downstream);
  try {
    const backlog = ids(150); // more than one journal read (100)
    await journal.append(backlog.map(queued));
    forwarder.start();
    const fresh = ['N-1', 'N-2', 'N-3'];
    for (const controlId of fresh) for (const e of await journal.append([queued(controlId)])) forwarder.offer(e);
    await waitFor(() => counters.forwarded === 153, 20_000, 'backlog and new ones delivered');
    assert.deepEqual(downstream.controlIds(), [...backlog, ...fresh]);
  } finally {
    await forwarder.stop();
    await downstream.stop();
  }
});

test('forwarder: a message re-queued behind its back (another process, no wake) is picked up by the periodic journal read', async () => {
  const journal = new MemoryJournal();
  const downstream = new Downstream();
  const { forwarder, counters } = await setup(journal, downstream);
  try {
    forwarder.start();
    const [entry] = await journal.append([queued('R-1')]);
    forwarder.offer(entry!);
    await waitFor(() => counters.forwarded === 1, 5000, 'first delivery');
    await journal.setState(entry!.id, 'queued'); // as `hl7 replay --data-dir` does from another process
    await waitFor(() => downstream.received.length === 2, 5000, 're-delivered without a wake');
    assert.deepEqual(downstream.controlIds(), ['R-1', 'R-1']);
  } finally {
    await forwarder.stop();
    await downstream.stop();
  }
});
