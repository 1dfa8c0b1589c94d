/** Input checks for the HL7 journal, shared by both implementations. */
import type { JournalAppend, JournalState } from './store.js';

export const JOURNAL_STATES: ReadonlySet<JournalState> = new Set(['queued', 'held', 'delivered', 'dead', 'duplicate']);

export function validateJournalAppend(m: JournalAppend): void {
  for (const key of ['route', 'sender', 'controlId', 'messageType'] as const) {
    if (typeof m[key] !== 'string') throw new TypeError(`journal append: ${key} must be a string`);
  }
  if (!Buffer.isBuffer(m.inbound)) throw new TypeError('journal append: inbound must be a Buffer');
  if (m.outbound !== undefined && !Buffer.isBuffer(m.outbound)) throw new TypeError('journal append: outbound must be a Buffer');
  if (!JOURNAL_STATES.has(m.state)) throw new TypeError(`journal append: unknown state ${String(m.state)}`);
}
