/**
 * Synonym lists written from domain knowledge (radiology order names as Chinese hospitals write
 * them). Everything here maps a word people type to a name the standard itself uses (an L3 body
 * part name, an item's body-part text, a scan/post-processing/position name), so the dictionaries
 * stay anchored in the standard's tables (see vocabulary.ts). No entry names a specific dev-set row.
 */

/** Body-part alias → names used by the standard (L3 names or item body-part texts, laterality stripped). */
/** Vertebral levels (C3, L4/5, 腰1 …) name the spine segment. */
function vertebralLevels(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const levels: Array<[string[], number, string]> = [[['c', '颈'], 7, '颈椎'], [['t', '胸'], 12, '胸椎'], [['l', '腰'], 5, '腰椎'], [['s', '骶'], 5, '骶尾椎']];
  for (const [prefixes, n, part] of levels) for (const p of prefixes) for (let i = 1; i <= n; i++) out[`${p}${i}`] = [part];
  return out;
}

/** Fingers by number or name (第三指, 示指 …): the standard has one 手指 part. */
function fingers(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const n of ['一', '二', '三', '四', '五', '1', '2', '3', '4', '5']) out[`第${n}指`] = ['手指'];
  for (const w of ['示指', '食指', '中指', '环指', '无名指', '小指', '指骨']) out[w] = ['手指'];
  return out;
}

export const BODY_ALIASES: Record<string, string[]> = {
  ...vertebralLevels(),
  // head
  头颅: ['颅脑', '头颅'], 头部: ['颅脑', '头颅'], 头: ['颅脑', '头颅'], 脑: ['颅脑'], 脑部: ['颅脑'], 颅面: ['颅面部［整形］', '颌面部'], 颅面骨: ['颅面部［整形］', '颌面部'], 面骨: ['颌面部', '颅面部［整形］'],
  head: ['颅脑', '头颅'], brain: ['颅脑'], skull: ['头颅'],
  垂体: ['垂体', '鞍区'], 鞍区: ['鞍区', '垂体'], 鞍部: ['鞍区', '垂体'],
  眼眶: ['眼眶', '眼部'], 眼部: ['眼部', '眼眶'], 眼: ['眼部', '眼眶'], 眶: ['眼眶', '眼部'], 眼球: ['眼部'], orbit: ['眼部', '眼眶'],
  鼻窦: ['副鼻窦'], 窦: ['副鼻窦'], 上颌窦: ['副鼻窦'], sinus: ['副鼻窦'], pns: ['副鼻窦'], fubidou: ['副鼻窦'],
  鼻: ['鼻骨', '副鼻窦'], 鼻咽: ['鼻咽部'], 口咽: ['口咽部'], 喉咽: ['喉咽部'], 喉: ['喉咽部'], 喉部: ['喉咽部'],
  咽: ['鼻咽部', '口咽部', '喉咽部'], 咽部: ['鼻咽部', '口咽部', '喉咽部'], 咽喉: ['喉咽部'],
  耳: ['内耳及中耳乳突', '内耳'], 乳突: ['内耳及中耳乳突'], 中耳: ['内耳及中耳乳突', '中耳'], 内耳: ['内耳', '内耳及中耳乳突'],
  颞骨: ['颞骨'], 颞颌关节: ['颞下颌关节', '颞下颌关节［开闭口位］', '下颌关节'], 颞下颌关节: ['颞下颌关节', '颞下颌关节［开闭口位］', '下颌关节'],
  颌面: ['颌面部'], 面部: ['颌面部'], 颜面: ['颌面部'], 颌骨: ['上颌骨', '下颌骨'], 上颌: ['上颌骨'], 下颌: ['下颌骨'],
  牙: ['牙齿'], 牙齿: ['牙齿'], 舌: ['舌部'], 腮腺: ['腮腺'], 颌下腺: ['下颌下腺'],
  // neck
  颈: ['颈部'], 颈部软组织: ['颈部'], 甲状腺: ['甲状腺'], neck: ['颈部'],
  // spine
  颈椎间盘: ['颈椎'], 胸椎间盘: ['胸椎'], 腰椎间盘: ['腰椎'], 腰间盘: ['腰椎'], 椎间盘: ['腰椎'], 腰: ['腰椎'], 腰部: ['腰椎'],
  颈段: ['颈椎'], 胸段: ['胸椎'], 腰段: ['腰椎'], 脊髓: ['腰段脊髓', '颈段脊髓', '胸段脊髓'], 颈髓: ['颈段脊髓'], 胸髓: ['胸段脊髓'], 腰髓: ['腰段脊髓'], 椎管: ['腰段脊髓', '颈段脊髓', '胸段脊髓'], 'c-spine': ['颈椎'], 'l-spine': ['腰椎'], 't-spine': ['胸椎'],
  骶尾: ['骶尾椎'], 骶椎: ['骶尾椎'], 尾椎: ['骶尾椎'], 骶骨: ['骶尾椎'], 尾骨: ['骶尾椎'], 骶尾骨: ['骶尾椎'], 骶尾部: ['骶尾椎'],
  腰骶: ['腰骶段'], 腰骶椎: ['腰骶段'], 腰骶部: ['腰骶段'], 胸腰: ['胸腰段'], 胸腰椎: ['胸腰段'], 颈胸: ['颈胸段'], 颈胸椎: ['颈胸段'],
  脊柱: ['全脊柱', '脊柱全长'], 全脊柱: ['全脊柱', '脊柱全长'], 脊柱全长: ['脊柱全长', '全脊柱'], 全脊椎: ['全脊柱', '脊柱全长'],
  // chest
  胸: ['胸部'], 肺: ['胸部'], 肺部: ['胸部'], 双肺: ['胸部'], 肺脏: ['胸部'], 胸廓: ['胸部'], 纵隔: ['胸部'], 胸腔: ['胸部'],
  chest: ['胸部'], lung: ['胸部'], 肋: ['肋骨'], 心: ['心脏'], 心脏: ['心脏'], 乳腺: ['乳腺'], 乳房: ['乳腺'], 乳: ['乳腺'], breast: ['乳腺'], breasts: ['乳腺'], kub: ['肾区'], 泌尿系平片: ['肾区'], 尿路平片: ['肾区'],
  气管: ['气管支气管'], 支气管: ['气管支气管'], 食道: ['食管'],
  // abdomen
  腹部: ['全腹部', '腹部'], 腹: ['全腹部', '腹部'], 全腹: ['全腹部'], 腹部平片: ['腹部'], abdomen: ['全腹部', '腹部'],
  上腹: ['上腹部'], 肝胆胰脾: ['上腹部'], 肝胆脾胰: ['上腹部'], 肝胆脾: ['上腹部'], 肝胆胰: ['上腹部'], 肝胆: ['上腹部'],
  下腹: ['中下腹部'], 下腹部: ['中下腹部'], 中下腹: ['中下腹部'], 中腹部: ['中下腹部'],
  肝: ['肝脏'], 胆: ['胆囊'], 胰: ['胰腺'], 脾: ['脾脏'], 胃: ['胃及十二指肠'], 十二指肠: ['胃及十二指肠'],
  肾: ['肾'], 肾脏: ['肾'], 肾上腺: ['肾上腺'], 输尿管: ['输尿管'], 泌尿系: ['全泌尿系'], 泌尿系统: ['全泌尿系'], 尿路: ['全泌尿系'],
  胰胆管: ['胰胆管'], 胆道: ['胆道', '胰胆管'], 胆管: ['胆道', '胰胆管'],
  // pelvis
  盆腔: ['盆腔', '盆腔及盆底结构'], 盆底: ['盆腔及盆底结构'], pelvis: ['盆腔', '骨盆'],
  子宫: ['子宫及附件'], 附件: ['子宫及附件'], 卵巢: ['子宫及附件'], 子宫附件: ['子宫及附件'], 子宫卵巢: ['子宫及附件'], 子宫卵巢及附件: ['子宫及附件'],
  睾丸: ['阴囊及睾丸'], 阴囊: ['阴囊及睾丸'], 精囊腺: ['精囊'], 肛门: ['肛周'], 臀: ['臀部'],
  // limbs (X-ray and CT/MR use different words for the same segment)
  肩: ['肩关节'], 肩部: ['肩关节'], shoulder: ['肩关节'], 肘: ['肘关节'], 腕: ['腕部', '腕关节'], 腕关节: ['腕部', '腕关节'], 手腕: ['腕部', '腕关节'], 手腕关节: ['腕部', '腕关节'],
  wrist: ['腕部', '腕关节'], 手部: ['手'], 手掌: ['手'], hand: ['手'], 指: ['手指'], 拇指: ['手指'], 手指: ['手指'], 舟骨: ['手舟骨', '~腕部'], 手舟骨: ['手舟骨', '~腕部'],
  ...fingers(),
  髋: ['髋关节'], 股骨头: ['髋关节'], k关节: ['髋关节'], hip: ['髋关节'], 膝: ['膝关节'], 膝盖: ['膝关节'], knee: ['膝关节'],
  趾: ['足'], 足趾: ['足'], 脚趾: ['足'], 拇趾: ['足'], 趾骨: ['足'],
  踝: ['踝关节'], h关节: ['踝关节'], ankle: ['踝关节'], 脚: ['足'], 足部: ['足'], 脚部: ['足'], foot: ['足'], 跟: ['跟骨', '~足'],
  // Bones the standard names only for X-ray; CT/MR name the segment they lie in (跟骨CT → 足): `~` = that
  // segment, weaker than the part itself, so it is an answer only where the modality lacks the part (never auto).
  跟骨: ['跟骨', '~足'], 距骨: ['踝关节', '~足'], 髌骨: ['髌骨', '~膝关节'],
  上臂: ['上臂', '肱骨'], 肱骨: ['肱骨', '上臂'], 前臂: ['前臂', '尺桡骨'], 尺桡骨: ['尺桡骨', '前臂'], 尺骨: ['尺桡骨', '前臂'], 桡骨: ['尺桡骨', '前臂'],
  大腿: ['大腿', '股骨'], 股骨: ['股骨', '大腿'], 小腿: ['小腿', '胫腓骨'], 胫腓骨: ['胫腓骨', '小腿'], 胫骨: ['胫腓骨', '小腿'], 腓骨: ['胫腓骨', '小腿'],
  肩胛: ['肩胛骨'], 冈上肌: ['冈上肌'], 胸锁关节: ['胸锁关节'],
  上肢全长: ['上肢全长'], 下肢全长: ['下肢全长'],
  瘘管: ['窦道及瘘道'], 窦道: ['窦道及瘘道'], 瘘道: ['窦道及瘘道'], 冠脉: ['冠状动脉'], 冠状动脉: ['冠状动脉'], 内听道: ['内耳'],
  // not specified
  其他部位: ['非指定部位'], 其它部位: ['非指定部位'], 其他: ['非指定部位'], 其它: ['非指定部位'], 其余部位: ['非指定部位'],
};

/**
 * Vessel-region words → stems of the standard's vessel names (L1 08, "<stem>动脉"/"<stem>静脉").
 * Used only when the exam is a vessel study (CTA/MRA/血管成像 …).
 */
export const VESSEL_STEM_ALIASES: Record<string, string> = {
  头颅: '颅内', 颅脑: '颅内', 头部: '颅内', 脑: '颅内', 头: '颅内', 颅: '颅内', 脑血管: '颅内',
  头颈: '头颈部', 颈: '颈部', 颈动脉: '颈部', 冠脉: '冠状', 冠状: '冠状', 心脏: '冠状',
  上腹: '上腹部', 全腹: '全腹部', 腹部: '全腹部', 手: '手部', 足: '足部', 双下肢: '下肢', 双上肢: '上肢',
  肺: '肺', 主动脉: '胸腹主', 胸主: '胸主', 腹主: '腹主', 门脉: '门',
  head: '颅内', brain: '颅内', neck: '颈部', coronary: '冠状', renal: '肾', pulmonary: '肺',
};

/** Scan words → per-modality scan code. `*` = any CT/MR. Scan names of the standard are added by vocabulary.ts. */
export interface ScanWord { codes: Partial<Record<'CT' | 'MR' | 'DR' | 'MG' | 'RF', string>>; vascular?: 'A' | 'V' | 'AV' | 'generic'; weak?: boolean; body?: string[] }
export const SCAN_WORDS: Record<string, ScanWord> = {
  平扫: { codes: { CT: '11', MR: '11' } }, 普通扫描: { codes: { CT: '11', MR: '11' } }, 常规扫描: { codes: { CT: '11', MR: '11' } },
  普扫: { codes: { CT: '11', MR: '11' } }, 非增强: { codes: { CT: '11', MR: '11' } }, routine: { codes: { CT: '11', MR: '11' } },
  轴位: { codes: { CT: '11', MR: '11' }, weak: true }, 水平位: { codes: { CT: '11', MR: '11' }, weak: true },
  增强: { codes: { CT: '21', MR: '21' } }, 强化: { codes: { CT: '21', MR: '21' } }, 对比增强: { codes: { CT: '21', MR: '21' } },
  // Contrast phases name an enhanced scan (`腹部CT三期`, `肝脏CT(动脉期+门脉期)`).
  三期: { codes: { CT: '21', MR: '21' } }, 多期: { codes: { CT: '21', MR: '21' } }, 动脉期: { codes: { CT: '21', MR: '21' } },
  门脉期: { codes: { CT: '21', MR: '21' } }, 门静脉期: { codes: { CT: '21', MR: '21' } }, 延迟期: { codes: { CT: '21', MR: '21' } },
  低剂量: { codes: { CT: '12' } }, 'low dose': { codes: { CT: '12' } }, 'low-dose': { codes: { CT: '12' } }, ldct: { codes: { CT: '12' } }, 靶向: { codes: { CT: '13' } }, 靶扫描: { codes: { CT: '13' } }, 靶区扫描: { codes: { CT: '13' } }, 高分辨: { codes: { CT: '14', MR: '12' } }, hrct: { codes: { CT: '14' } },
  薄层: { codes: { CT: '15' }, weak: true },
  cta: { codes: { CT: '33', MR: '31' }, vascular: 'A' }, ctv: { codes: { CT: '34', MR: '32' }, vascular: 'V' },
  ctpa: { codes: { CT: '33' }, vascular: 'A', body: ['肺动脉'] },
  mra: { codes: { MR: '31', CT: '33' }, vascular: 'A' }, mrv: { codes: { MR: '32', CT: '34' }, vascular: 'V' },
  'ce-mra': { codes: { MR: '33' }, vascular: 'A' }, 'ce-mrv': { codes: { MR: '34' }, vascular: 'V' }, 增强mra: { codes: { MR: '33' }, vascular: 'A' },
  动脉血管成像: { codes: { CT: '33', MR: '31' }, vascular: 'A' }, 动脉成像: { codes: { CT: '33', MR: '31' }, vascular: 'A' },
  静脉血管成像: { codes: { CT: '34', MR: '32' }, vascular: 'V' }, 静脉成像: { codes: { CT: '34', MR: '32' }, vascular: 'V' },
  血管成像: { codes: { CT: '33', MR: '31' }, vascular: 'generic' }, 血管造影: { codes: { CT: '33', MR: '31' }, vascular: 'generic' },
  血管重建: { codes: { CT: '33', MR: '31' }, vascular: 'generic' }, 血管: { codes: { CT: '33', MR: '31' }, vascular: 'generic', weak: true },
  直接法: { codes: { CT: '35' }, vascular: 'V' }, ctp: { codes: { CT: '41' } }, 灌注: { codes: { CT: '41', MR: '54' } }, 灌注成像: { codes: { CT: '41', MR: '54' } }, pwi: { codes: { MR: '54' } }, asl: { codes: { MR: '56' } }, dsc: { codes: { MR: '71' } },
  ctu: { codes: { CT: '42' }, body: ['全泌尿系'] }, mru: { codes: { MR: '42' }, body: ['全泌尿系'] }, 尿路成像: { codes: { CT: '42', MR: '42' }, body: ['全泌尿系'] },
  mrcp: { codes: { MR: '43' }, body: ['胰胆管'] }, 胰胆管成像: { codes: { MR: '43' }, body: ['胰胆管'] }, 胆道成像: { codes: { MR: '43' }, body: ['胰胆管'] },
  mrm: { codes: { MR: '44' } }, 水成像: { codes: { MR: '45' } }, iac: { codes: { MR: '41' }, body: ['内耳'] },
  // Spectral/energy acquisition is a way of doing the named method; its own item (999999) only when nothing else is named.
  能谱: { codes: { CT: '44' }, weak: true }, 能量: { codes: { CT: '44' }, weak: true },
  dwi: { codes: { MR: '52' } }, 弥散: { codes: { MR: '52' } }, 扩散加权: { codes: { MR: '52' } }, dti: { codes: { MR: '53' } }, 弥散张量: { codes: { MR: '53' } },
  swi: { codes: { MR: '57' } }, swan: { codes: { MR: '57' } }, 磁敏感: { codes: { MR: '57' } }, mrs: { codes: { MR: '58' } }, 波谱: { codes: { MR: '58' } },
  bold: { codes: { MR: '51' } }, fmri: { codes: { MR: '59' } }, 脑功能: { codes: { MR: '59' } },
  dce: { codes: { MR: '23' } }, 动态增强: { codes: { MR: '23' } }, 动态对比增强: { codes: { MR: '23' } },
  肝胆特异性: { codes: { MR: '24' } }, 普美显: { codes: { MR: '24' } }, 钆塞酸: { codes: { MR: '24' } }, eob: { codes: { MR: '24' } }, vwi: { codes: { MR: '37' } }, 血管壁: { codes: { MR: '37' } },
  电影: { codes: { MR: '72' } }, 软骨: { codes: { MR: '73' } }, 类pet: { codes: { MR: '74' } }, 全身弥散: { codes: { MR: '74' } },
  mre: { codes: { MR: '75' } }, tricks: { codes: { MR: '76' } }, ivim: { codes: { MR: '77' } }, dki: { codes: { MR: '78' } }, ute: { codes: { MR: '79' } },
  dsi: { codes: { MR: '7a' } }, 心功能: { codes: { MR: '7d' } }, 心脏功能: { codes: { MR: '7d' } }, 斑块: { codes: { MR: '37' } },
  关节造影: { codes: { CT: '46', MR: '7b', RF: 'Xj' } }, 引导: { codes: { CT: '47', MR: '7h' } },
  // X-ray contrast studies (RF) and mammography (MG)
  造影: { codes: { RF: 'X1' }, weak: true }, 尿路造影: { codes: { CT: '42', MR: '42', RF: 'Xm' }, body: ['全泌尿系'] }, 钡餐: { codes: { RF: 'X1' }, body: ['上消化道'] }, 吞钡: { codes: { RF: 'X1' }, body: ['上消化道'] },
  钡灌肠: { codes: { RF: 'X1' }, body: ['结肠'] }, 碘水: { codes: { RF: 'X4' } }, 插管: { codes: { RF: 'X5' } }, 口服法: { codes: { RF: 'X6' } },
  静脉造影: { codes: { RF: 'X7' } }, 排空: { codes: { RF: 'X8' } }, 空气灌肠: { codes: { RF: 'X9' } }, 排粪: { codes: { RF: 'Xb' } },
  穿刺造影: { codes: { RF: 'Xc' } }, t管: { codes: { RF: 'Xd' }, body: ['胆道'] }, 碘油: { codes: { RF: 'Xe' } }, ercp: { codes: { RF: 'Xf' }, body: ['胆道'] },
  ptc: { codes: { RF: 'Xg' }, body: ['胆道'] }, 引流管: { codes: { RF: 'Xh' } }, 淋巴管造影: { codes: { RF: 'Xk' } }, 逆行: { codes: { RF: 'Xm' } },
  排泄: { codes: { RF: 'Xp' }, body: ['全泌尿系'] }, ivp: { codes: { RF: 'Xp' }, body: ['全泌尿系'] }, 静脉肾盂: { codes: { RF: 'Xp' }, body: ['全泌尿系'] },
  静脉泌尿系: { codes: { RF: 'Xp' }, body: ['全泌尿系'] },
  // The route or approach of a biliary/urinary contrast study is written before the part (静脉胆道造影, 逆行泌尿系造影).
  静脉胆道: { codes: { RF: 'X7' }, body: ['胆道'] }, 静脉胆管: { codes: { RF: 'X7' }, body: ['胆道'] },
  口服胆道: { codes: { RF: 'X6' }, body: ['胆道'] }, 口服胆囊: { codes: { RF: 'X6' }, body: ['胆道'] },
  逆行泌尿系: { codes: { RF: 'Xm' }, body: ['肾盂'] }, 逆行尿路: { codes: { RF: 'Xm' }, body: ['肾盂'] }, 逆行肾盂: { codes: { RF: 'Xm' }, body: ['肾盂'] },
  钼靶: { codes: { MG: 'M1' } }, 断层: { codes: { MG: 'M5' }, weak: true }, tomo: { codes: { MG: 'M6' } }, dbt: { codes: { MG: 'M5' } },
  离体: { codes: { MG: 'M3' } }, 导丝定位: { codes: { MG: 'M7' } }, 导管造影: { codes: { RF: 'X1', MG: 'M4' } },
  骨密度: { codes: { DR: '01' } },
};

/** Post-processing words → post-processing code (CT, appendix E). */
export const POST_WORDS: Record<string, string> = {
  三维重建: '11', 三维重组: '11', 三维成像: '11', 三维: '11', '3d': '11', 重建: '11', 重组: '11', 后处理: '11', 立体重建: '11',
  骨三维: '12', 气管支气管三维: '13', 支气管三维: '13', 气道三维: '13', 气道重建: '13',
  mpr: '14', 多平面: '14', 矢冠状面: '14', 冠矢状面: '14', cpr: '15', 曲面: '15', vr: '16', 容积: '16', minip: '17', 最小密度: '17',
  mip: '18', 最大密度: '18', ssd: '19', 表面重建: '19',
  钙化积分: '21', 钙化: '21', ffr: '22', qct: '23', 能谱后处理: '24', ctve: '31', 仿真内镜: '31', 仿真内窥镜: '31', 仿真结肠镜: '31', 仿真肠镜: '31', 仿真支气管镜: '31', 肺结节: '41',
};

/** Modality words. Order of checks: CT phrases containing X线 are read as CT first. */
export const MODALITY_PATTERNS: Array<{ modality: 'CT' | 'MR' | 'DR' | 'MG' | 'RF'; re: RegExp }> = [
  { modality: 'CT', re: /x线计算机体层|x线计算机断层|计算机体层|计算机断层|ct|螺旋|多排|多层|\d+排|双源/ },
  // A field strength (3.0T) not followed by a Latin word: `3.0t ct` names CT, `3.0t mri` names MR by its own word.
  { modality: 'MR', re: /mr|磁共振|核磁|(?:^|[^a-z])\d(?:\.\d)?t(?![a-z])(?! [a-z])/ },
  { modality: 'MG', re: /钼靶|乳腺x线|乳腺摄影|乳腺dr|乳腺数字化摄影|mg(?![a-z])|mammogra/ },
  { modality: 'RF', re: /钡餐|钡灌肠|透视|(?:^|[^a-z])rf(?![a-z])/ },
  { modality: 'DR', re: /dr|kub|cr(?![a-z])|x线|x光|x-?ray|radiograph|摄片|平片|拍片|摄影|dx(?![a-z])|片|正位|侧位|斜位|轴位片|(?:^|[^a-z])(?:p\.?a|a\.?p)\.?(?![a-z])/ },
];

/** Text without a match of this has none of DEVICE_PATTERNS (each pattern needs one of these): one test for most names. */
export const DEVICE_HINT = /排|双源|\dt|床边|床旁|移动/;

/** Device hints (reported as facets; the standard prefers device-neutral items). */
export const DEVICE_PATTERNS: Array<{ name: string; re: RegExp }> = [
  { name: 'slices', re: /(\d+)排(?:以上|以下)?/ },
  { name: 'dualSource', re: /双源/ },
  { name: 'fieldStrength', re: /(\d(?:\.\d)?)t(?![a-z])(?! [a-z])/ },
  { name: 'mobile', re: /床边|床旁|移动/ },
];

/** X-ray view words → atoms of the standard's position names. */
export const VIEW_ALIASES: Record<string, string[]> = {
  开口: ['张口'], 过伸过屈: ['前屈后伸'], 过屈过伸: ['前屈后伸'], 伸屈: ['前屈后伸'], 屈伸: ['前屈后伸'], 动力: ['前屈后伸'], 功能: ['前屈后伸'],
  出入口: ['出口', '入口'], 入出口: ['入口', '出口'], 切: ['切线'], pa: ['后前'], 'p.a.': ['后前'], 'p.a': ['后前'], ap: ['前后'], 'a.p.': ['前后'], lat: ['侧'], lateral: ['侧'], cc: ['头尾'], mlo: ['内外侧斜'], 开闭口: ['张口', '闭口'], 张闭口: ['张口', '闭口'],
  双斜: ['双斜'], 正侧: ['正', '侧'], 正斜: ['正', '斜'], 侧轴: ['侧', '轴'],
};
