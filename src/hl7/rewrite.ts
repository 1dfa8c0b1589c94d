/**
 * OBR-4 rewrite (NOTES.md §3.4, §4). For every OBR: the standard code, display and coding-system id
 * go into OBR-4.1–4.3; the original local triplet is kept, verbatim (already escaped), in
 * OBR-4.4–4.6 (default), OBR-44, or a Z segment after the OBR. Only the fields written are rebuilt;
 * new values are escaped with the message's own delimiters.
 *
 * Idempotent: an OBR-4 whose coding system already is ours (a replay or resend) is left alone.
 */
import { DEFAULT_EXTENSION_CODING_SYSTEM_IDS, type ExtensionCodingSystemIds } from './config.js';
import { escapeValue, unescapeValue } from './escape.js';
import type { Hl7Message } from './message.js';
import type { OrderCodeResolution, OrderCodeResolver } from './resolver.js';

export type LocalCodePlacement = 'OBR-4.4' | 'OBR-44' | 'Z';

export interface RewriteOptions {
  resolver: OrderCodeResolver;
  sender: string;
  /** OBR-4.3 value written with the standard code. */
  codingSystemId: string;
  /** OBR-4.3 written with an ultrasound/PET/SPECT extension code (default DEFAULT_EXTENSION_CODING_SYSTEM_IDS). */
  extensionCodingSystemIds?: ExtensionCodingSystemIds;
  localCodePlacement: LocalCodePlacement;
  /** Segment id used when localCodePlacement is 'Z'. */
  zSegmentId: string;
}

export interface ObrOutcome {
  /** 1-based position of the OBR among the message's OBR segments. */
  obr: number;
  localCode: string;
  localText: string;
  localSystem: string;
  result: OrderCodeResolution | { kind: 'already-standard' };
}

export interface RewriteResult {
  outcomes: ObrOutcome[];
  /** True when at least one OBR-4 was changed. */
  changed: boolean;
  /** Warnings worth a journal note (e.g. a dropped alternate triplet, an over-long OBR-4). */
  warnings: string[];
}

/** Rewrites every OBR-4 of `msg` in place. */
export async function rewriteOrderCodes(msg: Hl7Message, options: RewriteOptions): Promise<RewriteResult> {
  const d = msg.delimiters;
  const obrIndexes = msg.indexesOf('OBR');
  const outcomes: ObrOutcome[] = [];
  const warnings: string[] = [];
  const inserts: Array<{ after: number; raw: string }> = [];
  let changed = false;
  for (const [n, index] of obrIndexes.entries()) {
    const raw4 = msg.fieldRaw(index, 4);
    const repetitions = raw4.split(d.repetition);
    const comps = repetitions[0].split(d.component);
    const [localCode, localText, localSystem] = [0, 1, 2].map((c) => unescapeValue(comps[c] ?? '', d));
    const base = { obr: n + 1, localCode, localText, localSystem };
    if (localSystem === options.codingSystemId || Object.values(options.extensionCodingSystemIds ?? DEFAULT_EXTENSION_CODING_SYSTEM_IDS).includes(localSystem)) {
      outcomes.push({ ...base, result: { kind: 'already-standard' } });
      continue;
    }
    if (!localCode && !localText) {
      outcomes.push({ ...base, result: { kind: 'unmapped', reason: `OBR-4 is empty in OBR ${n + 1}` } });
      continue;
    }
    const modality = msg.valueAt(index, 24);
    const result = await options.resolver.resolve({ sender: options.sender, code: localCode, text: localText, codingSystem: localSystem, modality: modality || undefined });
    outcomes.push({ ...base, result });
    if (result.kind !== 'mapped') continue;
    const standard = [result.code, result.display, codingSystemIdOf(result.system, options)].map((v) => escapeValue(v, d));
    const localRaw = comps.slice(0, 3);
    while (localRaw.length < 3) localRaw.push('');
    const alternate = comps.slice(3);
    let first: string[];
    if (options.localCodePlacement === 'OBR-4.4') {
      if (alternate.some((c) => c !== '')) warnings.push(`OBR ${n + 1}: the received alternate triplet OBR-4.4-4.6 was replaced by the local code (kept in the journal's inbound copy)`);
      first = [...standard, ...trimEmpty(localRaw)];
    } else {
      first = [...standard, ...alternate];
      const localField = trimEmpty(localRaw).join(d.component);
      if (options.localCodePlacement === 'OBR-44') msg.setFieldRaw(index, 44, localField);
      else inserts.push({ after: index, raw: [options.zSegmentId, String(n + 1), localField].join(d.field) });
    }
    repetitions[0] = trimEmpty(first).join(d.component);
    const newRaw = repetitions.join(d.repetition);
    // (UTF-16 length ≥ characters: only a long field needs counting.)
    if (newRaw.length > 250 && [...newRaw].length > 250) warnings.push(`OBR ${n + 1}: OBR-4 is ${[...newRaw].length} characters, over the 250 allowed in v2.5`);
    msg.setFieldRaw(index, 4, newRaw);
    changed = true;
  }
  // Insert Z segments from the last OBR backwards so earlier indexes stay valid.
  for (const ins of inserts.reverse()) msg.insertSegment(ins.after, ins.raw);
  return { outcomes, changed, warnings };
}

const EXTENSION_SYSTEM = /\/CodeSystem\/(us|pet|spect)-exam-item$/;

/** OBR-4.3 for a code of `system`: the extension's own id for us-/pet-/spect-exam-item, else the exam-item id. */
export function codingSystemIdOf(system: string, options: Pick<RewriteOptions, 'codingSystemId' | 'extensionCodingSystemIds'>): string {
  const ext = EXTENSION_SYSTEM.exec(system)?.[1] as keyof ExtensionCodingSystemIds | undefined;
  return ext ? (options.extensionCodingSystemIds ?? DEFAULT_EXTENSION_CODING_SYSTEM_IDS)[ext] : options.codingSystemId;
}

/** Drops trailing empty components (HL7 encoding rules: no trailing delimiters needed). */
function trimEmpty(components: string[]): string[] {
  const out = [...components];
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}
