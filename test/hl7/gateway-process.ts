/**
 * A gateway process for the durability tests and the benchmark: SQLite store in DATA_DIR, config from
 * MLLP_PORT / MLLP_DOWNSTREAM (+ optional HL7_TEST_CONFIG JSON for the `hl7` section), a fixed-table
 * resolver. Prints `LISTENING <port>` once the listener is up.
 */
import { createStore } from '../../src/store/index.js';
import { parseHl7Config } from '../../src/hl7/config.js';
import { Hl7Gateway } from '../../src/hl7/gateway.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { TableResolver } from './helpers.js';
import { STANDARD } from './gateway-fixture.js';

const store = await createStore({ dataDir: process.env.DATA_DIR ?? './data' });
const config = parseHl7Config(process.env.HL7_TEST_CONFIG ? JSON.parse(process.env.HL7_TEST_CONFIG) : undefined);
if (!config) throw new Error('set MLLP_PORT and MLLP_DOWNSTREAM');
for (const l of config.listeners) l.host = '127.0.0.1';
for (const r of config.routes) Object.assign(r, { ackTimeoutMs: 2000, connectTimeoutMs: 1000, retry: { initialMs: 100, maxMs: 1000, maxAttempts: 0 } });
const logger = process.env.HL7_TEST_LOG ? createLogger('info') : silentLogger;
const gateway = new Hl7Gateway({ config, journal: store.journal, resolver: new TableResolver({ ...STANDARD }), logger });
await gateway.start();
process.stdout.write(`LISTENING ${gateway.port(config.listeners[0].name)}\n`);
process.on('SIGTERM', () => {
  void gateway.stop().then(() => store.close()).then(() => process.exit(0));
});
