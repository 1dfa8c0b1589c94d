/**
 * Child process for bench/hl7.ts. `echo` mode: a raw MLLP server (our listener) that answers every
 * frame with an AA for its MSH-10 at once — the transport baseline. `gateway` mode: the full gateway
 * (durable SQLite journal in DATA_DIR, rewrite, forwarding to ECHO_PORT). Prints `LISTENING <port>`.
 */
import { MllpListener } from '../src/hl7/mllp/listener.js';
import { parseHl7Config } from '../src/hl7/config.js';
import { Hl7Gateway } from '../src/hl7/gateway.js';
import { createStore } from '../src/store/index.js';
import { silentLogger } from '../src/logger.js';
import { createOrderCodeResolver } from '../src/hl7/resolver.js';

const mode = process.argv[2];
if (mode === 'echo') {
  const listener = new MllpListener({
    host: '127.0.0.1',
    port: 0,
    maxFrameBytes: 1 << 20,
    idleTimeoutMs: 0,
    onOversize: () => undefined,
    onFrame: async (payload) => {
      const msh = payload.toString('latin1', 0, Math.min(payload.length, 512)).split('\r')[0].split('|');
      return Buffer.from(`MSH|^~\\&|ECHO|E|${msh[2] ?? ''}|${msh[3] ?? ''}|20260101000000||ACK^O01^ACK|E${msh[9]}|P|2.4\rMSA|AA|${msh[9] ?? ''}\r`, 'latin1');
    },
  });
  process.stdout.write(`LISTENING ${await listener.start()}\n`);
  process.on('message', (m) => {
    if (m === 'cpu') process.send!(process.cpuUsage());
  });
} else {
  const store = await createStore({ dataDir: process.env.DATA_DIR! });
  const config = parseHl7Config({ listeners: [{ name: 'bench', host: '127.0.0.1', port: 0, route: 'echo' }], routes: [{ name: 'echo', host: '127.0.0.1', port: Number(process.env.ECHO_PORT), connectTimeoutMs: 1000 }] }, {})!;
  const table: Record<string, { code: string; display: string; system: string }> = { CT0012: { code: '20050101110000', display: 'CT胸部(平扫)', system: 'https://bzh.rimagcloud.com/fhir/CodeSystem/exam-item' } };
  const resolver = createOrderCodeResolver({ conceptMap: async (q) => table[q.code], standardSystem: 'https://bzh.rimagcloud.com/fhir/CodeSystem/exam-item' });
  const gateway = new Hl7Gateway({ config, journal: store.journal, resolver, logger: silentLogger, unmappedHistoryDays: 0 });
  await gateway.start();
  process.stdout.write(`LISTENING ${gateway.port('bench')}\n`);
  process.on('message', async (m) => {
    if (m === 'stats') process.send!(await gateway.stats());
    if (m === 'cpu') process.send!(process.cpuUsage());
    if (m === 'exit') {
      // graceful end (writes a --cpu-prof profile): stop the gateway, flush the store
      await gateway.stop();
      await store.close();
      process.exit(0);
    }
  });
}
