/**
 * Text normalisation of exam names: width, brackets, case, spaces, typos, and the noise that
 * carries no meaning for the item (billing tags, logistics, mutual-recognition marks).
 * Billing and non-exam lines are recognised here too (they must yield `none`).
 */

/** Brackets NFKC leaves alone, mapped to ASCII. */
const BRACKETS: Record<string, string> = { '【': '[', '】': ']', '〔': '[', '〕': ']', '「': '[', '」': ']', '『': '[', '』': ']', '〈': '(', '〉': ')', '《': '(', '》': ')' };

/** Typos and variant characters common in the field (each pair: wrong → right). */
const TYPOS: Array<[string, string]> = [
  ['钼钯', '钼靶'], ['目靶', '钼靶'], ['钼把', '钼靶'], ['成象', '成像'], ['扫瞄', '扫描'], ['扫苗', '扫描'],
  ['磁共震', '磁共振'], ['核磁共振', '磁共振'], ['颈锥', '颈椎'], ['胸锥', '胸椎'], ['腰锥', '腰椎'], ['骶锥', '骶椎'],
  ['关结', '关节'], ['付鼻窦', '副鼻窦'], ['桡尺骨', '尺桡骨'], ['腓胫骨', '胫腓骨'], ['胫排骨', '胫腓骨'], ['颅恼', '颅脑'],
  ['平描', '平扫'], ['评扫', '平扫'], ['曾强', '增强'], ['增加强', '增强'], ['三位重建', '三维重建'], ['三唯重建', '三维重建'],
  ['髋关', '髋关'], ['蝶鞍', '鞍区'], ['鞍区区', '鞍区'], ['钡剂', '钡'],
  // Order-entry shorthand for the plain + contrast scan.
  ['平+增', '平扫+增强'], ['平+增强', '平扫+增强'],
];

/**
 * Noise: tags that say nothing about the item. Order matters (longer first). Applied after
 * normalisation, so all ASCII is lower case and brackets are ASCII.
 */
const NOISE: RegExp[] = [
  /\((?:[^()]*禁[^()]*)\)/g, // contraindication asides: (哺乳、备孕、孕者禁)
  /手术|术后|术前|复查|随访/g, // clinical context words; 手术 must not read as the hand
  /(?:川渝|陕|黔|滇|桂|湘|鄂|赣|苏|浙|皖|闽|鲁|豫|冀|晋|蒙|辽|吉|黑|京|津|沪|渝|川|粤|琼|甘|青|宁|新|藏)+hr/g,
  /互认/g,
  /非医保|医保|自费|公费|农合|新农合/g,
  /不出片|不含胶片|无胶片|不含片|不打片|不要片|无片/g,
  /\(?(?:含|包括|包含|加)(?:造影剂|对比剂|胶片|药品|药|耗材)[^()]*\)?/g, // "(含造影剂)": the exam includes it
  /团单|团检|团体|体检|体验|加急|急诊|门诊|住院|免费升级|升级|优惠|套餐|筛查/g,
  /检查项目|检查|项目|\(?对比前片\)?/g,
  // MR sequence names are protocol, not the item (and `t2` must not read as the T2 vertebra).
  /t[12](?:wi|加权像?|压脂)|pdwi|pd压脂|flair|stir|dixon|同反相位?/g,
];

/**
 * Words that mark a billing, material or service line rather than an exam (decision `none`); a contrast agent
 * followed by 增强 or 首过 names a method (`肝胆特异性造影剂增强扫描`, `对比剂首过法灌注成像`).
 */
const NON_EXAM = /加收|会诊|胶片|耗材|材料|造影剂(?!增强)|对比剂(?!首过|增强)|高压注射|注射器|打印|刻录|刻盘|光盘|诊查|诊疗费|报告费|阅片|读片|复印|存储|图像传输|远程|挂号|护理|麻醉|药费|留置针|[^造]费$|费用|注射液|注射剂|针筒|针剂|预约|取片|冲洗|消毒/;

/**
 * Exams of other modalities or services: not items of the CT/MR/X-ray system. Ultrasound, PET and SPECT words
 * (EXTENSION_WORD) send the line to the extension matcher when the engine has one; the rest are `none`.
 * `us`/`nt`/`ect` and the English abbreviations (echo, tte, tvs, trus, ceus) only as Latin words of their own; 经阴道/经直肠/卵泡监测/弹性成像/消融/nt are ultrasound unless the line names CT/MR
 * (a thyroid nodule ablation or a fetal NT scan is done under ultrasound; `CT引导下…消融` names CT).
 */
const OUT_OF_SCOPE = /超声|彩超|b超|多普勒|阴超|心超|声学造影|tcd|(?<![a-z])(?:us|nt|echo|tte|tvs|trus|ceus)(?![a-z])|ultrasound|sonograph|doppler|echocardiogra|经阴道|经直肠|卵泡监测|弹性成像|消融|残余尿|心电图|脑电图|肌电图|胃镜|肠镜|内镜(?!逆行)|pet|spect|(?<![a-z])ect(?![a-z])|核医学|同位素|核素|骨扫描|碘131|摄碘|肾图|显像/;
const EXTENSION_WORD = /^(?:超声|彩超|b超|多普勒|阴超|心超|声学造影|tcd|us|nt|echo|tte|tvs|trus|ceus|ultrasound|sonograph|doppler|echocardiogra|经阴道|经直肠|卵泡监测|弹性成像|消融|残余尿|pet|spect|ect|核医学|同位素|核素|骨扫描|显像)$/;
/** Words that are ultrasound only when no CT/MR/X-ray word is on the line (`经直肠MRI`, `磁共振弹性成像`). */
// `echo` is also an MR sequence word (spin echo); 残余尿 (residual urine) is measured by ultrasound unless CT/MR is named.
const US_UNLESS_IMAGING = /^(?:经阴道|经直肠|卵泡监测|弹性成像|消融|nt|echo|残余尿)$/;
/** PET/CT, PET/MR, SPECT/CT and ECT name extension devices, not the CT/MR modality. */
const EXTENSION_DEVICE = /pet[\/\-]?(?:ct|mri?)|spect\/ct|spect|(?<![a-z])ect(?![a-z])/g;
/** Out-of-scope words that are in scope in some phrases: 仿真(结)肠镜 is CT, 类PET an MR method, 延迟显像 a CT phase. */
const VIRTUAL_ENDOSCOPY = /仿真[\u4e00-\u9fa5]{0,2}$/;
const IMAGING_MODALITY = /ct|mr|磁共振|计算机体层|计算机断层|x线|dr(?![a-z])/;

/**
 * The (first, or first extension) out-of-scope word of the line, if any (the regex finds candidates; the exceptions
 * are checked on a hit only).
 */
function outOfScope(text: string, extensionOnly = false): string | undefined {
  const re = OUT_OF_SCOPE_G;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const w = m[0];
    if (w.endsWith('镜') && VIRTUAL_ENDOSCOPY.test(text.slice(0, m.index))) continue;
    if (w === 'pet' && text[m.index - 1] === '类') continue;
    if ((w === '显像' || US_UNLESS_IMAGING.test(w)) && IMAGING_MODALITY.test(text.replace(EXTENSION_DEVICE, ''))) continue;
    if (extensionOnly && !EXTENSION_WORD.test(w)) continue;
    return w;
  }
  return undefined;
}

/** The first ultrasound/PET/SPECT word of the (normalised) line, if any, wherever other out-of-scope or billing words are. */
export function extensionWordOf(text: string): string | undefined {
  return outOfScope(text, true);
}
const OUT_OF_SCOPE_G = new RegExp(OUT_OF_SCOPE.source, 'g');

export interface Normalised {
  /** Normalised text (noise removed). */
  text: string;
  /** Noise fragments removed (for the explanation). */
  noise: string[];
  /** Set when the line is a billing/non-exam line: the word that shows it. */
  nonExam?: string;
}

const TYPO_MAP = new Map(TYPOS);
const escapeRe = (k: string): string => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const TYPO_RE = new RegExp([...TYPO_MAP.keys()].sort((a, b) => b.length - a.length).map(escapeRe).join('|'), 'g');
const fixTypo = (m: string): string => TYPO_MAP.get(m) ?? m;
const fixBracket = (c: string): string => BRACKETS[c] ?? c;
/** All noise patterns as one alternation (one pass per name). */
const NOISE_RE = new RegExp(NOISE.map((r) => r.source).join('|'), 'g');
// Module-level patterns: a literal in a function body makes a new RegExp object on every call.
const BRACKET_CHARS = /[【】〔〕「」『』〈〉《》]/g;
const SPACES = /[\s\u3000]+/g;
const ANY_SPACE = /[\s\u3000]/;
const LATIN = /[a-z0-9.]/;
/** Spaces go, except one between two Latin words: it separates them (`head ct plain` must not read `ctp`). */
const closeGap = (gap: string, at: number, s: string): string =>
  LATIN.test(s[at - 1] ?? '') && LATIN.test(s[at + gap.length] ?? '') ? ' ' : '';
const TRAILING_SEPARATORS = /[;:：]+$/g;
const LEADING_SEPARATORS = /^[;:]+/;
const EMPTY_BRACKETS = /\(\)|\[\]/g;

/** Width, brackets, case, spaces, typos. Idempotent. */
export function normaliseText(raw: string): string {
  let s = raw.normalize('NFKC');
  s = s.replace(BRACKET_CHARS, fixBracket);
  s = s.toLowerCase();
  if (ANY_SPACE.test(s)) s = s.replace(SPACES, closeGap);
  s = s.replace(TRAILING_SEPARATORS, '').replace(LEADING_SEPARATORS, '');
  return s.replace(TYPO_RE, fixTypo);
}

/** Full normalisation: text plus noise removal and non-exam detection. */
export function normalise(raw: string): Normalised {
  const noise: string[] = [];
  // One pass finds and removes the noise (the same matches, in order, as text.match(NOISE_RE)).
  let text = normaliseText(raw).replace(NOISE_RE, (m) => {
    noise.push(m);
    return '';
  });
  if (noise.length > 0) text = text.replace(EMPTY_BRACKETS, '');
  return { text, noise, nonExam: nonExamWord(text) };
}

/** An out-of-scope word of the ultrasound, PET or SPECT extensions (read by the extension matcher). */
export function isExtensionWord(word: string): boolean {
  return EXTENSION_WORD.test(word);
}

/** The (normalised) text names CT, MR or X-ray outside the extension device names (`PET/CT` is not CT). */
export function namesMainModality(text: string): boolean {
  return IMAGING_MODALITY.test(text.replace(EXTENSION_DEVICE, ''));
}

/** The word that makes (normalised) text a billing/service line or an exam outside the standard, if any. */
export function nonExamWord(text: string): string | undefined {
  return NON_EXAM.exec(text)?.[0] || outOfScope(text) || undefined;
}
