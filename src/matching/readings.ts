/**
 * Readings of a name that turn what was recognised into the standard's terms, where the words alone
 * do not say it (general rules found with the challenge set, docs/matching.md "Challenge set"):
 * qualified parts, vessels named as the part, a plain scan written before another study, and
 * post-processings that are items of their own. Pure functions over the vocabulary and item index.
 */
import type { ExamFacets } from './facets.js';
import { isVascular, type ItemIndex } from './scoring.js';
import type { Modality, Vocabulary } from './vocabulary.js';

/** A part the standard also has with a qualifier the text says (`头颅CT(外伤)` → 颅脑[外伤]) means the qualified part. */
export function qualifyParts(body: Map<string, number>, text: string, vocab: Vocabulary): Map<string, number> {
  let qualifiable = false;
  for (const code of body.keys()) if (vocab.qualifiedParts.has(code)) qualifiable = true;
  if (!qualifiable || !vocab.qualifierWords.test(text)) return body;
  const out = new Map(body);
  for (const [code, w] of body) {
    for (const q of vocab.qualifiedParts.get(code) ?? []) {
      if (!text.includes(q.qualifier)) continue;
      out.set(q.code, Math.max(out.get(q.code) ?? 0, w));
      out.set(code, w * 0.95);
    }
  }
  return out;
}

/**
 * A vessel named as the part with a plain or contrast method (`磁共振平扫成像(血管)-颅内动脉`, the price items'
 * wording) is the vessel study: CT → CTA/CTV; MR plain → MRA/MRV, MR contrast → CE-MRA/CE-MRV.
 */
export function vesselStudy(scans: string[], body: Map<string, number>, m: Modality, index: ItemIndex): string[] {
  if (body.size === 0) return scans;
  for (let i = 0; i < scans.length; i++) if (isVascular(m, scans[i] as string)) return scans;
  for (const c of body.keys()) if (!c.startsWith('08')) return scans;
  let vein = true;
  for (const c of body.keys()) if (index.has(m, c, m === 'CT' ? '33' : '31') || index.has(m, c, '33')) vein = false;
  return scans.map((s) => {
    if (s !== '11' && s !== '21' && s !== '22') return s;
    if (m === 'CT') return vein ? '34' : '33';
    if (s === '11') return vein ? '32' : '31';
    return vein ? '34' : '33';
  });
}

/** The CT/MR methods after the vessel and plain-scan readings below. */
export function studyScans(f: ExamFacets, scans: string[], defaulted: boolean, body: Map<string, number>, m: Modality, index: ItemIndex, vocab: Vocabulary): string[] {
  const out = vesselStudy(scans, body, m, index);
  return !defaulted && plainBeforeStudy(f, out, vocab) ? ['11', ...out] : out;
}

/** Methods that modify the plain scan of the same exam (增强 and the plain variants) rather than adding a study. */
const PLAIN_OR_CONTRAST = new Set(['11', '12', '13', '14', '15', '21', '22', '23', '24', '7f']);

/**
 * `头颅MRI+MRA`, `肝胆脾MRI+MRCP`: the first piece names the exam (its part) without a method and a later
 * piece adds a study of its own; the first piece is then the default plain scan, not a part of that study.
 */
export function plainBeforeStudy(f: ExamFacets, scans: string[], vocab: Vocabulary): boolean {
  if (scans.length === 0) return false;
  for (let i = 0; i < scans.length; i++) if (PLAIN_OR_CONTRAST.has(scans[i] as string)) return false;
  const cut = firstTopLevelPlus(f.text);
  // The first piece must name the exam (its part), not be a local code (`116;颈部CTA`).
  if (cut < 0 || !vocab.body.occursIn(f.text, 0, cut)) return false;
  // The first piece names its own method or post-processing (`冠状动脉钙化积分+CTA`): nothing to add.
  for (let i = 0; i < f.scanWords.length; i++) {
    const start = (f.scanWords[i] as ExamFacets['scanWords'][number]).start;
    if (start >= 0 && start < cut) return false;
  }
  return !vocab.posts.occursIn(f.text, 0, cut);
}

function firstTopLevelPlus(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28 || c === 0x5b) depth++; // ( [
    else if ((c === 0x29 || c === 0x5d) && depth > 0) depth--; // ) ]
    else if (depth === 0 && c === 0x2b) return i; // +
  }
  return -1;
}

/**
 * A quantitative (2x: 钙化积分, FFR, QCT, 能谱后处理) or simulation (3x: CTVE) post-processing that no item of
 * the part has with the method is an item of its own (scan 00); the 三维重建 family (1x) only refines the exam.
 */
export function standalonePost(posts: ExamFacets['posts'], body: Map<string, number>, scan: string, index: ItemIndex): string | undefined {
  for (let i = 0; i < posts.length; i++) {
    const post = (posts[i] as ExamFacets['posts'][number]).code;
    if (post[0] !== '2' && post[0] !== '3') continue;
    let withMethod = false;
    for (const c of body.keys()) if (index.indexed('CT', c).some((e) => e.item.postOrPosition === post && e.item.scan === scan)) withMethod = true;
    if (!withMethod) return post;
  }
  return undefined;
}

/** The parts that have the post-processing item (else none: scoring then falls back to the unspecified part). */
export function partsWithPost(post: string, body: Map<string, number>, index: ItemIndex): Map<string, number> {
  const own = new Map<string, number>();
  for (const [c, w] of body) if (index.indexed('CT', c).some((e) => e.item.postOrPosition === post)) own.set(c, w);
  return own;
}
