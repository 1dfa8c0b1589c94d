/**
 * Entry point for src/main.ts: parses the `hl7` config section (+ MLLP_* env), builds the resolver
 * and starts the gateway. Returns undefined when no listener is configured.
 *
 *   const hl7 = await startHl7Gateway({ section: config.hl7, journal: store.journal, logger,
 *     conceptMap: async (q) => …sender's ConceptMap via the terminology engine…, matcher,
 *     standardSystem: codeSystemUrl(CS.examItem) });
 *   routers.push(createHl7AdminRouter({ admin: hl7.admin, authorize: bearerAuthorizer(config.adminToken, store.audit), audit: store.audit }));
 *   await hl7?.stop();   // on shutdown, before store.close()
 */
import type { Logger } from '../logger.js';
import type { Hl7Journal } from '../store/store.js';
import { parseHl7Config } from './config.js';
import { Hl7Gateway } from './gateway.js';
import { createOrderCodeResolver, type ConceptMapLookup, type ExamNameMatcher } from './resolver.js';

export { Hl7Gateway } from './gateway.js';
export { parseHl7Config } from './config.js';
export { createOrderCodeResolver } from './resolver.js';
export type { OrderCodeResolver, OrderCodeQuery, OrderCodeResolution, ConceptMapLookup, ExamNameMatcher } from './resolver.js';

export interface StartHl7Options {
  /** `config.hl7` (unknown JSON from src/config.ts). */
  section: unknown;
  env?: Record<string, string | undefined>;
  journal: Hl7Journal;
  logger: Logger;
  conceptMap?: ConceptMapLookup;
  matcher?: ExamNameMatcher;
  /** Canonical URL of the exam-item CodeSystem (reported as the system of matcher hits). */
  standardSystem: string;
}

export async function startHl7Gateway(options: StartHl7Options): Promise<Hl7Gateway | undefined> {
  const config = parseHl7Config(options.section, options.env ?? process.env);
  if (!config) return undefined;
  const resolver = createOrderCodeResolver({ conceptMap: options.conceptMap, matcher: options.matcher, standardSystem: options.standardSystem });
  const gateway = new Hl7Gateway({ config, journal: options.journal, resolver, logger: options.logger.child({ component: 'hl7' }) });
  await gateway.start();
  return gateway;
}
