/**
 * Ultrasound vocabulary, derived from the US items' own segments (level-2 part names, approaches,
 * sub-items, methods), plus the local synonyms hospitals write, each listed with why.
 *
 * Part keys: a level-2 name less its side (`双侧颈动脉` → `颈动脉`, side 双) or age (`儿童心脏` → `心脏`, age 儿童)
 * prefix; a composite name (`甲状腺+颈部淋巴结`, `双肾、输尿管、膀胱`, `肝胆脾胰`) is the set of its parts' keys.
 */
import type { ExtensionItem } from './items.js';
import { Lexicon, withoutParens } from './lexicon.js';

export type UsTerm =
  | { kind: 'part'; keys: string[]; any?: boolean; broad?: boolean; sub?: string }
  | { kind: 'sub'; stripped: string }
  | { kind: 'approach'; name: string }
  | { kind: 'method'; name: string }
  | { kind: 'side'; side: '双' | '左' | '右' }
  | { kind: 'age'; age: string }
  | { kind: 'unsupported' }
  | { kind: 'modality' };

/** Local part words → part keys (`all` of them; `any` = one of them, not said which). */
const PART_SYNONYMS: Record<string, { keys: string[]; any?: boolean; broad?: boolean; sub?: string }> = {
  // One-character organ names: order catalogues write 肝胆胰脾, 双肾, 肝胆 (and the standard's own 肝胆脾胰).
  肝: { keys: ['肝脏'] }, 胆: { keys: ['胆囊'] }, 脾: { keys: ['脾脏'] }, 胰: { keys: ['胰腺'] }, 肾: { keys: ['肾脏'] }, 双肾: { keys: ['肾脏'] },
  // Gynaecology: 附件 = ovaries + tubes; 妇科 ultrasound = uterus + adnexa (the U601 item).
  附件: { keys: ['卵巢', '输卵管'] }, 妇科: { keys: ['子宫', '卵巢', '输卵管'] },
  // Urology: 泌尿系 = kidneys, ureters, bladder (the U501 item's parts).
  泌尿系: { keys: ['肾脏', '输尿管', '膀胱'] }, 泌尿系统: { keys: ['肾脏', '输尿管', '膀胱'] },
  乳房: { keys: ['乳腺'] }, 腋下淋巴结: { keys: ['腋窝淋巴结'] }, 腋下: { keys: ['腋窝淋巴结'] }, 颈淋巴结: { keys: ['颈部淋巴结'] },
  // Echo: 心超, 超声心动图 (transthoracic) name the heart exam.
  心超: { keys: ['心脏'] }, 心彩超: { keys: ['心脏'] }, 超声心动图: { keys: ['心脏'] }, 心动图: { keys: ['心脏'] },
  头颅: { keys: ['颅脑'] },
  // The appendix is examined as the right lower quadrant (U312).
  阑尾: { keys: ['右下腹'] },
  腹水: { keys: ['腹腔'], sub: '积液' },
  // 子宫输卵管(超声)造影 is the tubal patency exam (HyCoSy): the tubes are the part examined.
  子宫输卵管: { keys: ['输卵管'] },
  产科: { keys: ['胎儿'] }, 中孕: { keys: ['胎儿'] }, 晚孕: { keys: ['胎儿'] }, 孕期: { keys: ['胎儿'] }, 孕妇: { keys: ['胎儿'] },
  跟腱: { keys: ['肌腱'] }, 皮下: { keys: ['皮下组织'] },
  // Region words that name several items without saying which: never `auto`.
  颈部血管: { keys: ['颈动脉', '椎动脉'], any: true }, 下肢血管: { keys: ['下肢动脉', '下肢静脉'], any: true },
  上肢血管: { keys: ['上肢动脉', '上肢静脉'], any: true },
  // 动静脉: the artery and the vein exams, both (two items).
  下肢动静脉: { keys: ['下肢动脉', '下肢静脉'] }, 上肢动静脉: { keys: ['上肢动脉', '上肢静脉'] }, 眼部: { keys: ['眼球', '眼眶'], any: true }, 眼: { keys: ['眼球', '眼眶'], any: true },
  腹部: { keys: ['肝脏', '胆囊', '脾脏', '胰腺'], broad: true }, 上腹部: { keys: ['肝脏', '胆囊', '脾脏', '胰腺'], broad: true },
  // Pregnancy words name the fetal exam (`孕24周`, `产前`, `妊娠`, `羊水指数`, `双胎`).
  孕: { keys: ['胎儿'] }, 产前: { keys: ['胎儿'] }, 妊娠: { keys: ['胎儿'] }, 羊水: { keys: ['胎儿'] }, 双胎: { keys: ['胎儿'] },
  // A heart chamber names the heart exam (`右心声学造影` is contrast echocardiography).
  右心: { keys: ['心脏'] }, 左心: { keys: ['心脏'] },
};
/**
 * English part words (`US thyroid`, `Renal US`, `Carotid Doppler`); longer words first where one contains another
 * (adrenal/renal, parathyroid/thyroid, gallbladder/bladder: the lexicon takes the longest match).
 */
const ENGLISH_PARTS: Record<string, { keys: string[]; any?: boolean; broad?: boolean }> = {
  thyroid: { keys: ['甲状腺'] }, parathyroid: { keys: ['甲状旁腺'] }, breast: { keys: ['乳腺'] }, axilla: { keys: ['腋窝淋巴结'] },
  axillary: { keys: ['腋窝淋巴结'] }, carotid: { keys: ['颈动脉'] }, vertebral: { keys: ['椎动脉'] }, renal: { keys: ['肾脏'] },
  kidney: { keys: ['肾脏'] }, kidneys: { keys: ['肾脏'] }, adrenal: { keys: ['肾上腺'] }, bladder: { keys: ['膀胱'] },
  gallbladder: { keys: ['胆囊'] }, prostate: { keys: ['前列腺'] }, liver: { keys: ['肝脏'] }, hepatic: { keys: ['肝脏'] },
  pancreas: { keys: ['胰腺'] }, spleen: { keys: ['脾脏'] }, uterus: { keys: ['子宫'] }, ovary: { keys: ['卵巢'] }, ovarian: { keys: ['卵巢'] },
  pelvic: { keys: ['盆腔'] }, pelvis: { keys: ['盆腔'] }, scrotal: { keys: ['阴囊'] }, scrotum: { keys: ['阴囊'] }, testis: { keys: ['睾丸'] },
  testicular: { keys: ['睾丸'] }, appendix: { keys: ['右下腹'] }, obstetric: { keys: ['胎儿'] }, fetal: { keys: ['胎儿'] },
  // echo / TTE / echocardiography: the transthoracic heart exam.
  echo: { keys: ['心脏'] }, echocardiography: { keys: ['心脏'] }, echocardiogram: { keys: ['心脏'] }, cardiac: { keys: ['心脏'] }, tte: { keys: ['心脏'] },
  abdomen: { keys: ['肝脏', '胆囊', '脾脏', '胰腺'], broad: true }, abdominal: { keys: ['肝脏', '胆囊', '脾脏', '胰腺'], broad: true },
};
const NOT_PREGNANT = ['备孕', '孕前', '不孕'];
/** Words inserted into a vessel or node name (`下肢深静脉`, `颈内静脉`, `腹股沟区淋巴结`): the same part. */
const PART_INFIXES = ['深', '浅', '内', '外', '总', '区'];
const INFIXED_ENDINGS = /(静脉|动脉|淋巴结)$/;
/** Sub-item words in local spellings → the stripped sub-item name. */
const SUB_SYNONYMS: Record<string, string> = {
  nt: 'nt检查', 颈项透明层: 'nt检查', 早孕: '早孕期', 系统筛查: '系统性筛查', 排畸: '系统性筛查', 大排畸: '系统性筛查',
  // 胎儿系统超声/系统彩超: the anomaly scan, i.e. the graded 系统性筛查 (not the plain fetal exam)
  系统超声: '系统性筛查', 系统彩超: '系统性筛查', 系统b超: '系统性筛查', 系统性超声: '系统性筛查',
  胎心计数: '多普勒胎心记数', 胎心: '多普勒胎心记数', 节育环: '节育器', 肿物: '包块', 肿块: '包块', 积液: '积液',
  // 产前(超声)筛查 is the graded anomaly scan (the grade, if written, picks one of the three).
  产前筛查: '系统性筛查', 产前超声筛查: '系统性筛查',
  // The sub-item 脓肿穿刺引流术 (approach 经皮): orders write the procedure without 术.
  脓肿穿刺引流: '脓肿穿刺引流术', 脓肿引流: '脓肿穿刺引流术',
};
const APPROACH_SYNONYMS: Record<string, string> = {
  阴超: '经阴道', 阴道超声: '经阴道', 阴道彩超: '经阴道', 阴道b超: '经阴道', 经阴: '经阴道', 直肠超声: '经直肠', 腔内前列腺: '经直肠',
  tee: '经食管', 经食道: '经食管', 食道超声: '经食管', tcd: '经颅', 经腹部: '经腹', tvs: '经阴道', transvaginal: '经阴道', trus: '经直肠',
  transrectal: '经直肠',
};
/** Method words: 穿刺/活检/引导/引流 are interventional US (C5); 射频/微波 ablation (C6); 3d/4d. */
const METHOD_SYNONYMS: Record<string, string> = {
  弹性成像: '弹性', 剪切波: '弹性', '3d': '三维', '4d': '四维', 超声造影: '造影', 声学造影: '造影', 穿刺: '介入', 活检: '介入', 引导: '介入',
  引流: '介入', 置管: '介入', 射频: '消融', 微波: '消融', 床边: '床旁', ceus: '造影', contrast: '造影', elastography: '弹性',
  biopsy: '介入', guided: '介入', bedside: '床旁',
};
const SIDES: Record<string, '双' | '左' | '右'> = {
  双侧: '双', 两侧: '双', 双: '双', 左侧: '左', 左: '左', 右侧: '右', 右: '右', bilateral: '双', left: '左', right: '右',
};
const AGES: Record<string, string> = {
  成人: '成人', 儿童: '儿童', 小儿: '小儿', 婴儿: '小儿', 婴幼儿: '小儿', 幼儿: '小儿', 新生儿: '新生儿', adult: '成人',
  pediatric: '小儿', paediatric: '小儿', child: '小儿', neonatal: '新生儿',
};
/** Regions with no US item (pleura, lung, pericardium): the name is an exam, but not of the standard. */
const UNSUPPORTED = ['胸腔', '胸水', '胸膜', '肺', '心包'];
const MODALITY_WORDS = ['超声', '彩超', 'b超', '彩色多普勒', '多普勒', 'us', '黑白超', '超声波', '彩色超声', 'ultrasound', 'sonography', 'doppler'];

const SIDE_PREFIX = /^(双侧|左侧|右侧|双|左|右)(.+)$/;
const AGE_PREFIX = /^(成人|儿童|小儿|新生儿)(.+)$/;
const COMPOSITE_SEPARATOR = /[+、]/;

export interface PartVariant {
  part: string;
  side?: '双' | '左' | '右';
  age?: string;
}

export interface UsVocabulary {
  lexicon: Lexicon<UsTerm>;
  /** Part key → the level-2 parts it names (side/age variants). */
  variants: Map<string, PartVariant[]>;
  /** Composite level-2 parts and the keys they consist of. */
  composites: Array<{ part: string; keys: Set<string> }>;
  itemsByPart: Map<string, ExtensionItem[]>;
  /** Stripped sub-item name → sub-item names (`系统性筛查` → three grades). */
  subs: Map<string, string[]>;
}

function keysOfSegment(seg: string, isKey: (k: string) => boolean): string[] {
  const syn = PART_SYNONYMS[seg];
  if (syn) return syn.keys;
  if (isKey(seg)) return [seg];
  const chars = [...seg];
  // `肝胆脾胰`: every character is a one-character organ name.
  if (chars.length > 1 && chars.every((c) => PART_SYNONYMS[c])) return chars.flatMap((c) => PART_SYNONYMS[c]?.keys ?? []);
  return [seg];
}

export function buildUsVocabulary(items: ExtensionItem[]): UsVocabulary {
  const itemsByPart = new Map<string, ExtensionItem[]>();
  for (const i of items) {
    const list = itemsByPart.get(i.part) ?? itemsByPart.set(i.part, []).get(i.part) as ExtensionItem[];
    list.push(i);
  }
  const variants = new Map<string, PartVariant[]>();
  const addVariant = (key: string, v: PartVariant) => (variants.get(key) ?? variants.set(key, []).get(key) as PartVariant[]).push(v);
  const compositeNames: string[] = [];
  const simple = [...itemsByPart.keys()].filter((part) => {
    const composite = COMPOSITE_SEPARATOR.test(part) || [...part].every((c) => PART_SYNONYMS[c]);
    if (composite) compositeNames.push(part);
    return !composite;
  });
  // A side or age prefix is a qualifier only when the rest names another part too (`右下腹` is one part).
  const rests = new Map<string, number>();
  const restOf = (part: string) => SIDE_PREFIX.exec(part)?.[2] ?? AGE_PREFIX.exec(part)?.[2] ?? part;
  for (const part of simple) rests.set(restOf(part), (rests.get(restOf(part)) ?? 0) + 1);
  for (const part of simple) {
    const side = SIDE_PREFIX.exec(part);
    const age = AGE_PREFIX.exec(part);
    const shared = (rests.get(restOf(part)) ?? 0) > 1;
    if (shared && side) addVariant(side[2] as string, { part, side: SIDES[side[1] as string] as '双' | '左' | '右' });
    else if (shared && age) addVariant(age[2] as string, { part, age: age[1] as string });
    else addVariant(part, { part });
  }
  const composites = compositeNames.map((part) => ({ part, keys: new Set(part.split(COMPOSITE_SEPARATOR).flatMap((s) => keysOfSegment(s, (k) => variants.has(k)))) }));

  const terms = new Map<string, UsTerm>();
  for (const w of MODALITY_WORDS) terms.set(w, { kind: 'modality' });
  for (const key of variants.keys()) terms.set(key, { kind: 'part', keys: [key] });
  for (const key of variants.keys()) {
    const end = INFIXED_ENDINGS.exec(key);
    if (!end) continue;
    const stem = key.slice(0, end.index);
    for (const infix of PART_INFIXES) if (stem && !terms.has(stem + infix + end[1])) terms.set(stem + infix + end[1], { kind: 'part', keys: [key] });
  }
  for (const c of composites) terms.set(c.part.replace(/[+、]/g, ''), { kind: 'part', keys: [...c.keys] });
  const subs = new Map<string, string[]>();
  const approaches = new Set<string>();
  const methods = new Set<string>();
  for (const i of items) {
    if (i.subItem) {
      const s = withoutParens(i.subItem);
      const list = subs.get(s) ?? subs.set(s, []).get(s) as string[];
      if (!list.includes(i.subItem)) list.push(i.subItem);
      terms.set(s, { kind: 'sub', stripped: s });
    }
    if (i.approach) approaches.add(i.approach);
    methods.add(i.method);
  }
  for (const [w, s] of Object.entries(SUB_SYNONYMS)) if (subs.has(s)) terms.set(w, { kind: 'sub', stripped: s });
  // After the sub-items: `超声心动图` alone is the (transthoracic) heart exam; `经食管超声心动图` reaches the sub-item by its approach.
  for (const [w, v] of Object.entries(PART_SYNONYMS)) terms.set(w, { kind: 'part', ...v });
  for (const [w, v] of Object.entries(ENGLISH_PARTS)) terms.set(w, { kind: 'part', ...v });
  for (const a of approaches) terms.set(a, { kind: 'approach', name: a });
  for (const [w, a] of Object.entries(APPROACH_SYNONYMS)) if (approaches.has(a)) terms.set(w, { kind: 'approach', name: a });
  for (const m of methods) terms.set(m, { kind: 'method', name: m });
  for (const [w, m] of Object.entries(METHOD_SYNONYMS)) if (methods.has(m)) terms.set(w, { kind: 'method', name: m });
  for (const [w, side] of Object.entries(SIDES)) terms.set(w, { kind: 'side', side });
  for (const [w, age] of Object.entries(AGES)) terms.set(w, { kind: 'age', age });
  for (const w of UNSUPPORTED) terms.set(w, { kind: 'unsupported' });
  // 备孕/孕前 (before a pregnancy) and 不孕 (infertility) name no fetus: read as no word, not as the 孕 of pregnancy.
  for (const w of NOT_PREGNANT) terms.set(w, { kind: 'modality' });
  return { lexicon: new Lexicon(terms), variants, composites, itemsByPart, subs };
}
