/** Starts a gateway on an ephemeral port with a memory journal and a capturing downstream. */
import { silentLogger } from '../../src/logger.js';
import { Hl7Gateway } from '../../src/hl7/gateway.js';
import { defaultListener, defaultRoute, type Hl7Config, type ListenerConfig, type RouteConfig } from '../../src/hl7/config.js';
import type { Hl7Journal } from '../../src/store/store.js';
import { Downstream, TableResolver } from './helpers.js';
import { MemoryJournal } from './memory-journal.js';

export const STANDARD = { CT0012: { code: '20050101110000', display: 'CT胸部(平扫)' }, MR0203: { code: '30030201000000', display: 'MR头颅平扫+DWI' }, CT0101: { code: '20010101110000', display: 'CT头颅(平扫)' }, DR1001: { code: '40050101000000', display: 'DR胸部正位' } };

export interface Fixture {
  gateway: Hl7Gateway;
  downstream: Downstream;
  journal: Hl7Journal;
  resolver: TableResolver;
  port: number;
  stop: () => Promise<void>;
}

export async function startFixture(options: { listener?: Partial<ListenerConfig>; route?: Partial<RouteConfig>; journal?: Hl7Journal; duplicateWindowMs?: number; downstreamDown?: boolean } = {}): Promise<Fixture> {
  const downstream = new Downstream();
  let dsPort = await downstream.start();
  if (options.downstreamDown) {
    await downstream.stop();
  }
  const route: RouteConfig = { ...defaultRoute('ris', '127.0.0.1', dsPort), ackTimeoutMs: 2000, connectTimeoutMs: 1000, retry: { initialMs: 50, maxMs: 400, maxAttempts: 0 }, ...options.route };
  const listener: ListenerConfig = { ...defaultListener('his', 0, 'ris'), host: '127.0.0.1', ...options.listener };
  const config: Hl7Config = { listeners: [listener], routes: [route], duplicateWindowMs: options.duplicateWindowMs ?? 3_600_000 };
  const journal = options.journal ?? new MemoryJournal();
  const resolver = new TableResolver({ ...STANDARD });
  const gateway = new Hl7Gateway({ config, journal, resolver, logger: silentLogger });
  await gateway.start();
  dsPort = route.port;
  return {
    gateway,
    downstream,
    journal,
    resolver,
    port: gateway.port('his'),
    stop: async () => {
      await gateway.stop();
      await downstream.stop();
    },
  };
}
