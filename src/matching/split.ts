/**
 * Splitting a line into exams. `胸部CT+上腹部CT` and `颈椎、腰椎正侧位` name two exams;
 * `平扫+增强`, `正、侧位`, `CT平扫+增强【胸部】` name one. Rule: the line is cut at top-level
 * separators (outside brackets); a piece that names a body part starts a new exam when the
 * current exam already has one; pieces without a body part stay with their neighbour.
 */
import { detectModality } from './facets.js';
import type { TermHit } from './dictionary.js';
import { bodyHits, namesOwnPart, type BodyEntry, type Vocabulary } from './vocabulary.js';

/** The text outside brackets (a bracket often refines the exam before it: `增强(肝胆胰脾)`). */
function outsideBrackets(text: string): string {
  let depth = 0;
  let out = '';
  let runStart = 0;
  // Copies runs of top-level characters (slices, not one string per character).
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === OPEN_PAREN || c === OPEN_SQUARE) {
      if (depth === 0) out += text.slice(runStart, i);
      depth++;
    } else if ((c === CLOSE_PAREN || c === CLOSE_SQUARE) && depth > 0) {
      depth--;
      runStart = i + 1;
    } else if (depth > 0) {
      runStart = i + 1;
    }
  }
  return depth === 0 ? out + text.slice(runStart) : out;
}

const OPEN_PAREN = 0x28; // (
const CLOSE_PAREN = 0x29; // )
const OPEN_SQUARE = 0x5b; // [
const CLOSE_SQUARE = 0x5d; // ]
// Module-level patterns: a literal in a function body makes a new RegExp object on every call.
const LEADING_TAG = /^\[([^\]]*)\]/;
/** Text before, the first innermost bracket (open, content, close), text after. */
const FIRST_BRACKET = /^(.*?)([(\[])([^()\[\]]+)([)\]])(.*)$/;
const VESSEL_STUDY = /血管|动脉|静脉|cta|ctv|mra|mrv/;
const TRAILING_PLUS = /[+]$/;
/**
 * A piece that names only a structure of the part before it (`颈椎CT平扫+椎间盘`: the cervical discs) details
 * that exam; alone, `椎间盘` reads as the lumbar spine (the usual disc study), which after another spine
 * part would be a second, guessed exam.
 */
const SUBSTRUCTURE_ONLY = /^(?:椎间盘|间盘)(?:平扫|扫描|ct|mr|mri)?$/;
/** + , ; 、 ； ， */
function isSeparator(c: number): boolean {
  return c === 0x2b || c === 0x2c || c === 0x3b || c === 0x3001 || c === 0xff1b || c === 0xff0c;
}

function hasSeparator(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isSeparator(text.charCodeAt(i))) return true;
  return false;
}

/** Top-level pieces with the separator that preceded each. */
export function splitPieces(text: string): Array<{ sep: string; text: string }> {
  const pieces: Array<{ sep: string; text: string }> = [];
  let depth = 0;
  let start = 0;
  let sep = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === OPEN_PAREN || c === OPEN_SQUARE) depth++;
    else if (c === CLOSE_PAREN || c === CLOSE_SQUARE) depth = Math.max(0, depth - 1);
    else if (depth === 0 && isSeparator(c)) {
      if (i > start) pieces.push({ sep, text: text.slice(start, i) });
      sep = text[i] as string;
      start = i + 1;
    }
  }
  if (text.length > start) pieces.push({ sep, text: text.slice(start) });
  return pieces;
}

/**
 * A line that names exams and non-exam or out-of-scope items (`胸部CT+胶片`, `乳腺钼靶+乳腺彩超`): the exam
 * pieces, and the others with the word that rules each out. Undefined when no piece (or every piece) is such an item.
 */
export function splitOffNonExams(text: string, nonExamWord: (piece: string) => string | undefined): { text: string; dropped: Array<{ text: string; word: string }> } | undefined {
  const pieces = splitPieces(text);
  if (pieces.length < 2) return undefined;
  const kept: string[] = [];
  const dropped: Array<{ text: string; word: string }> = [];
  for (const p of pieces) {
    const word = nonExamWord(p.text);
    if (word) dropped.push({ text: p.text, word });
    else kept.push(p.text);
  }
  if (kept.length === 0 || dropped.length === 0) return undefined;
  return { text: kept.join('+'), dropped };
}

/** Leading `[tag]` (department or free-text tag): removed, kept as a fallback body-part source. */
export function takeLeadingTag(text: string): { text: string; tag?: string } {
  const m = LEADING_TAG.exec(text);
  if (!m) return { text };
  const rest = text.slice(m[0].length);
  if (!rest) return { text: m[1] as string };
  return { text: rest, tag: m[1] as string };
}

export interface ExamText {
  text: string;
  hasBody: boolean;
  /** The body-part hits of `text` when the split already computed them (an exam of one piece), for extractFacets. */
  bodyHits: Array<TermHit<BodyEntry>> | undefined;
}

/**
 * `CT平扫(颅脑+胸部)`: a bracket listing several parts names several exams → `CT平扫(颅脑)+CT平扫(胸部)`.
 * Only when every listed piece names a part, so `(冠状+轴位)` or `(场强≥1.5T,<3.0T)` stay as they are.
 */
export function expandBracketLists(text: string, vocab: Vocabulary): string {
  // A list needs a separator; most names have none at all.
  if (!hasSeparator(text)) return text;
  const m = FIRST_BRACKET.exec(text);
  if (!m) return text;
  const before = m[1] as string;
  const open = m[2] as string;
  const inner = m[3] as string;
  const close = m[4] as string;
  const after = m[5] as string;
  const pieces = splitPieces(inner);
  if (pieces.length < 2 || !pieces.every((p) => vocab.body.occursIn(p.text))) return text;
  if (vocab.body.occursIn(before) || vocab.body.occursIn(after)) return text;
  return pieces.map((p) => `${before}${open}${p.text}${close}${after}`).join('+');
}

export function splitExams(text: string, vocab: Vocabulary): ExamText[] {
  text = expandBracketLists(text, vocab);
  const groups: ExamText[] = [];
  let pending = '';
  let pendingPieces = 0;
  let pendingHits: Array<TermHit<BodyEntry>> | undefined;
  for (const piece of splitPieces(text)) {
    const hits = bodyHits(vocab, piece.text);
    const hasBody = (hits.length > 0 && namesOwnPart(hits, piece.text)) || vocab.vessels.occursIn(piece.text) && VESSEL_STUDY.test(piece.text);
    const current = groups[groups.length - 1];
    // A piece whose part is named only in brackets and that names no modality refines the current exam.
    const refinement = hasBody && !!current?.hasBody && ((!detectModality(piece.text) && !vocab.body.occursIn(outsideBrackets(piece.text))) || SUBSTRUCTURE_ONLY.test(piece.text));
    if (hasBody && !refinement && (!current || current.hasBody)) {
      groups.push({ text: pending + piece.text, hasBody: true, bodyHits: pending ? undefined : hits });
      pending = '';
    } else if (current) {
      current.text += piece.sep + piece.text;
      current.hasBody ||= hasBody;
      current.bodyHits = undefined;
    } else {
      pending += piece.text + '+';
      pendingPieces++;
      pendingHits = hits;
    }
  }
  if (pending) {
    const tail = pending.replace(TRAILING_PLUS, '');
    if (groups.length === 0) groups.push({ text: tail, hasBody: false, bodyHits: pendingPieces === 1 ? pendingHits : undefined });
    else {
      const first = groups[0] as ExamText;
      first.text = tail + '+' + first.text;
      first.bodyHits = undefined;
    }
  }
  return groups;
}
