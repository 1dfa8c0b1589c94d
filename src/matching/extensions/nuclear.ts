/**
 * PET and SPECT readers.
 *
 * PET items are device (PET/CT, PET/MR) × region: whole-body sets (`躯干+头部+四肢`) and local regions
 * (`局部（胸部）`). The name's region words are compared as sets with each item's; `全身` names the
 * whole-body items without saying which (never `auto`); no device word after `PET` means PET/CT, not sure.
 *
 * SPECT items are organ + imaging method with few local variants, so the name (less the modality words,
 * tracer asides and `显像`) is compared with each item's name the same way: equal → that item; otherwise
 * the character-bigram similarity ranks them for review.
 */
import type { ExtensionItem } from './items.js';
import { Lexicon } from './lexicon.js';

export interface Scored {
  item: ExtensionItem;
  score: number;
}

/** Local region words → the PET items' region names (from `局部（X）` and the `+` sets). */
const PET_REGION_SYNONYMS: Record<string, string> = {
  脑: '头部', 颅脑: '头部', 头颅: '头部', 头: '头部', 胸: '胸部', 肺: '胸部', 肺部: '胸部', 心肌: '心脏', 心: '心脏', 颈: '颈部',
  上腹部: '腹部', 上腹: '腹部', 腹: '腹部', 盆部: '盆腔', 肢体: '四肢', 下肢: '四肢', 上肢: '四肢',
};
const WHOLE = '全身';
const LOCAL = '局部';

function regionsOf(part: string): { local: boolean; regions: string[] } {
  const p = part.normalize('NFKC');
  const local = /^局部/.exec(p);
  if (local) return { local: true, regions: [.../\(([^)]*)\)/.exec(p)?.slice(1) ?? []] };
  return { local: false, regions: p.split('+') };
}

export class PetReader {
  private readonly lexicon: Lexicon<string>;
  constructor(private readonly items: ExtensionItem[]) {
    const terms = new Map<string, string>();
    for (const i of items) for (const r of regionsOf(i.part).regions) terms.set(r, r);
    for (const [w, r] of Object.entries(PET_REGION_SYNONYMS)) if (terms.has(r)) terms.set(w, r);
    terms.set(WHOLE, WHOLE);
    terms.set(LOCAL, LOCAL);
    this.lexicon = new Lexicon(terms);
  }

  read(text: string): { candidates: Scored[]; doubt?: string; facets: Record<string, unknown> } {
    const mr = /pet[\/\-]?mri?/.test(text);
    const ct = /pet[\/\-]?ct/.test(text);
    const device = mr ? 'PET/MR' : 'PET/CT';
    // Region words; `pet/ct` itself is not one (ct/mr were read above), so the scan skips the device words.
    const words = new Set(this.lexicon.scan(text.replace(/pet[\/\-]?(?:ct|mri?)/g, ' ')).map((h) => h.value));
    const whole = words.delete(WHOLE);
    const local = words.delete(LOCAL);
    const named = [...words];
    const scored: Scored[] = [];
    for (const item of this.items) {
      if (item.device !== device) continue;
      const r = regionsOf(item.part);
      let s: number;
      // `全身` alone names the whole-body items without saying which; with regions written out, the regions decide.
      if (whole && named.length === 0) s = r.local ? 0.2 : 0.8 + 0.01 * r.regions.length;
      else if (named.length === 0) s = local ? (r.local && r.regions.length === 0 ? 1 : 0.4) : 0.5;
      else {
        const miss = named.filter((w) => !r.regions.includes(w)).length + r.regions.filter((w) => !named.includes(w)).length;
        s = 1 - 0.3 * miss - (local && !r.local ? 0.2 : 0);
      }
      scored.push({ item, score: Math.max(0, s) });
    }
    scored.sort((a, b) => b.score - a.score);
    const doubt = !mr && !ct ? 'PET without the device (PET/CT assumed)' : whole && named.length === 0 ? `${WHOLE} names several whole-body items` : undefined;
    return { candidates: scored, ...(doubt ? { doubt } : {}), facets: { device, regions: named, ...(whole ? { wholeBody: true } : {}) } };
  }
}

/** SPECT modality words, tracer asides in brackets, and the `显像` every item name carries. */
const SPECT_NOISE = /spect\/ct|spect|ect|放射性核素|核素|同位素|核医学|显像|检查|\([a-z0-9\-\s.]*\)|[()\s]/g;
/** Local spellings of the items' own words (the item names are the reference). */
const SPECT_SYNONYMS: Array<[RegExp, string]> = [
  [/(?:全身)?骨扫描/g, '全身骨'], // a bone scan is whole-body bone imaging
  [/gfr|肾小球滤过率/g, '小球滤过率'], // the item writes `肾动态显像+小球滤过率测定`
  [/erpf|肾有效血浆流量/g, '有效血浆流量'],
  [/脑血流灌注/g, '脑灌注'], // the clinical name of brain perfusion imaging
  [/梅克尔憩室|meckel憩室/g, '异位胃黏膜'], // Meckel's diverticulum is found by its ectopic gastric mucosa
  [/心梗/g, '心肌梗死'],
];

/** Each protocol word with the separator that joins it to the other (`负荷+静息`, `负荷/静息`). */
const WITHOUT_PROTOCOL: Record<string, RegExp> = { 负荷: /负荷[+\/、]|[+\/、]负荷|负荷/g, 静息: /静息[+\/、]|[+\/、]静息|静息/g };

export function spectProtocols(text: string): string[] {
  if (!text.includes('负荷') || !text.includes('静息')) return [text];
  return ['静息', '负荷'].map((other) => text.replace(WITHOUT_PROTOCOL[other] as RegExp, ''));
}

export function spectKey(text: string): string {
  let s = text.normalize('NFKC').toLowerCase();
  for (const [re, to] of SPECT_SYNONYMS) s = s.replace(re, to);
  return s.replace(SPECT_NOISE, '');
}

function bigrams(s: string): string[] {
  const t = `^${s}$`;
  const out: string[] = [];
  for (let i = 0; i + 1 < t.length; i++) out.push(t.slice(i, i + 2));
  return out;
}

function dice(a: string[], b: string[]): number {
  const left = [...b];
  let common = 0;
  for (const g of a) {
    const i = left.indexOf(g);
    if (i >= 0) {
      common++;
      left.splice(i, 1);
    }
  }
  return (2 * common) / (a.length + b.length || 1);
}

export class SpectReader {
  private readonly keyed: Array<{ item: ExtensionItem; key: string; grams: string[] }>;
  constructor(items: ExtensionItem[]) {
    this.keyed = items.map((item) => {
      const key = spectKey(item.method);
      return { item, key, grams: bigrams(key) };
    });
  }

  read(text: string): { candidates: Scored[]; facets: Record<string, unknown> } {
    const key = spectKey(text);
    if (!key) return { candidates: [], facets: { key } };
    const grams = bigrams(key);
    // Equal after normalisation: that item (1); otherwise similarity, capped below `auto`.
    // An item's whole name inside the text (`脑灌注断层` holds 脑灌注; `前哨淋巴结` holds 淋巴) outranks a similar other
    // organ's (肺灌注断层), the longer the closer; still `review`.
    const scored = this.keyed.map((k) => ({
      item: k.item,
      score: k.key === key ? 1 : Math.max(0.85 * dice(grams, k.grams), k.key.length > 1 && key.includes(k.key) ? 0.55 + (0.2 * k.key.length) / key.length : 0),
    }));
    scored.sort((a, b) => b.score - a.score);
    return { candidates: scored, facets: { key } };
  }
}
