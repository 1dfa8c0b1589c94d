/**
 * The extension matcher (src/matching/extensions/): ultrasound, PET and SPECT names → the extension items,
 * one test per rule of docs/matching.md "Extension matcher", plus the self-check over the items' own names.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REPO_ROOT } from '../../src/config.js';
import { loadDefaultExtensionItems } from '../../src/matching/extensions/items.js';
import { ExtensionMatcher } from '../../src/matching/extensions/matcher.js';
import { createDefaultMatcher, loadDefaultItems } from '../../src/matching/load.js';
import { createMatcher } from '../../src/matching/matcher.js';
import type { MatchResult } from '../../src/matching/types.js';

const items = loadDefaultExtensionItems(REPO_ROOT);
const engine = createDefaultMatcher(REPO_ROOT);
const US = 'https://bzh.rimagcloud.com/fhir/CodeSystem/us-exam-item';
const EXAM_ITEM = 'https://bzh.rimagcloud.com/fhir/CodeSystem/exam-item';
const tops = (r: MatchResult) => r.exams.map((e) => e.candidates[0]?.code);
const read = (name: string) => {
  const r = engine.match(name);
  return { decision: r.decision, codes: tops(r), r };
};

describe('extension items from the published CodeSystems', () => {
  test('443 US, 24 PET, 48 SPECT items; US segments from the items and the us-approach/us-subitem dictionaries', () => {
    const count = (f: string) => items.filter((i) => i.family === f).length;
    assert.deepEqual([count('US'), count('PET'), count('SPECT')], [443, 24, 48]);
    const follicle = items.find((i) => i.code === '50U603225C0000');
    assert.deepEqual([follicle?.part, follicle?.approach, follicle?.subItem, follicle?.method], ['子宫', '经阴道', '卵泡监测', '常规']);
    // The display `*胎儿心脏常规超声检查` hides the sub-item name `胎儿心脏`; the dictionary gives it.
    assert.equal(items.find((i) => i.code === '50U701012C0000')?.subItem, '胎儿心脏');
    assert.equal(items.find((i) => i.code === 'B010A201A000')?.device, 'PET/MR');
  });

  test('self-check: every extension item\'s own display reads back as that item, and every auto is right', () => {
    let right = 0;
    for (const i of items) {
      const r = engine.match(i.display);
      const ok = r.exams.length === 1 && r.exams[0]?.candidates[0]?.code === i.code;
      if (ok) right++;
      if (r.decision === 'auto') assert.ok(ok, `${i.display} auto ${tops(r).join('+')}`);
    }
    assert.equal(right, items.length);
  });
});

describe('ultrasound rules', () => {
  test('no method word = 常规, auto; a method word picks its item', () => {
    assert.deepEqual(read('甲状腺彩超'), { ...read('甲状腺彩超'), decision: 'auto', codes: ['50U101000C0000'] });
    assert.deepEqual(read('乳腺彩超+弹性成像').codes, ['50U105000C1000']);
    assert.deepEqual(read('肝脏超声造影').codes, ['50U302000C4000']);
  });

  test('several method words: the most specific (an ablation is done under guidance)', () => {
    assert.deepEqual(read('超声引导下肝脏射频消融').codes, ['50U302000C6000']);
    assert.deepEqual(read('超声引导下肝脏穿刺').codes, ['50U302000C5000']);
  });

  test('a named method the part has no item for is review, not a guess', () => {
    assert.equal(read('颈静脉超声造影').decision, 'review');
  });

  test('the largest composite whose parts are all named is one exam; other parts are their own', () => {
    assert.deepEqual(read('肝胆胰脾B超').codes, ['50U301000C0000']);
    assert.deepEqual(read('子宫附件彩超').codes, ['50U601000C0000']);
    assert.deepEqual(read('B超(双肾输尿管膀胱)').codes, ['50U501000C0000']);
    assert.deepEqual(read('肝胆胰脾双肾彩超').codes, ['50U301000C0000', '50U502000C0000']);
  });

  test('approach: named → its item; named but the part has no such item → the item without approach', () => {
    assert.deepEqual(read('经直肠前列腺彩超').codes, ['50U508500C0000']);
    assert.deepEqual(read('前列腺彩超(经腹)'), { ...read('前列腺彩超(经腹)'), decision: 'auto', codes: ['50U507000C0000'] });
  });

  test('an approach without a part implies the parts examined that way: review, the covering composite first', () => {
    const r = read('阴超');
    assert.equal(r.decision, 'review');
    assert.deepEqual(r.codes, ['50U601200C0000']);
  });

  test('side: named → that item, auto; not said → review with both sides first', () => {
    assert.deepEqual(read('左下肢静脉彩超'), { ...read('左下肢静脉彩超'), decision: 'auto', codes: ['50U914000C0000'] });
    const r = read('颈动脉彩超');
    assert.equal(r.decision, 'review');
    assert.deepEqual(r.codes, ['50Ua04000C0000']);
  });

  test('age: 小儿 picks the child item; no age word the adult or plain one', () => {
    assert.deepEqual(read('小儿心脏彩超').codes, ['50U812000C0000']);
    assert.deepEqual(read('心脏彩超').codes, ['50U801000C0000']);
    assert.deepEqual(read('小儿髋关节彩超').codes, ['50U223000C0000']);
  });

  test('sub-items: imply their part; a sub-item in another piece is its own exam; graded sub-items need the grade', () => {
    assert.deepEqual(read('早孕B超').codes, ['50U701007C0000']);
    assert.deepEqual(read('前列腺B超+残余尿').codes, ['50U507000C0000', '50U505029C0000']);
    assert.equal(read('胎儿系统筛查彩超').decision, 'review');
    assert.deepEqual(read('胎儿系统筛查彩超(二级)').codes, ['50U701010C0000']);
    // 系统超声 is the anomaly scan too: the graded screening, never the plain fetal exam
    const anomaly = read('胎儿系统超声(中孕)');
    assert.equal(anomaly.decision, 'review');
    assert.ok(['50U701009C0000', '50U701010C0000', '50U701011C0000'].includes(anomaly.codes[0]!), `got ${anomaly.codes[0]}`);
    assert.deepEqual(read('胆囊收缩功能B超').codes, ['50U304001C0000']);
    assert.deepEqual(read('经食管超声心动图').codes, ['50U801315C0000']);
  });

  test('a region word that names several items is review; a region with no US item is none', () => {
    assert.equal(read('颈部血管彩超').decision, 'review');
    assert.equal(read('胸腔积液B超定位').decision, 'none');
  });

  test('every candidate carries its CodeSystem', () => {
    const { r } = read('甲状腺彩超');
    assert.ok(r.exams.every((e) => e.candidates.every((c) => c.system === US)));
    assert.ok(engine.match('胸部CT平扫').exams[0]?.candidates.every((c) => c.system === EXAM_ITEM));
  });
});

describe('PET and SPECT rules', () => {
  test('PET: device and regions decide; 全身 and a bare PET are review', () => {
    assert.deepEqual(read('18F-FDG PET/CT 躯干'), { ...read('18F-FDG PET/CT 躯干'), decision: 'auto', codes: ['A010A100A000'] });
    assert.deepEqual(read('PET/MRI 头颅').codes, ['B010A201A000']);
    assert.deepEqual(read('PET-CT躯干+头部').codes, ['A010A101A000']);
    assert.equal(read('PET-CT全身').decision, 'review');
    assert.equal(read('PET 躯干').decision, 'review');
  });

  test('SPECT: the name equal to an item\'s (less modality words, tracers, 显像) is auto; close names review', () => {
    assert.deepEqual(read('全身骨显像(ECT)'), { ...read('全身骨显像(ECT)'), decision: 'auto', codes: ['C010A104B0000'] });
    assert.deepEqual(read('ECT骨扫描').codes, ['C010A104B0000']);
    assert.deepEqual(read('肾动态显像+GFR').codes, ['C010A503B3200']);
    assert.equal(read('负荷心肌灌注显像').decision, 'review');
    assert.equal(read('核素肾图').decision, 'none');
  });
});

describe('wiring into the engine', () => {
  test('other out-of-scope services stay none', () => {
    for (const n of ['十二导联心电图', '无痛胃镜', '彩超报告费', '甲状腺摄碘率']) assert.equal(engine.match(n).decision, 'none', n);
  });

  test('a mixed line: the CT piece by the engine, the ultrasound piece by the extension matcher', () => {
    assert.deepEqual(read('CT胸部平扫+甲状腺彩超').codes, ['20040100110000', '50U101000C0000']);
    assert.deepEqual(read('乳腺钼靶+乳腺彩超').codes.slice(1), ['50U105000C0000']);
  });

  test('an ultrasound exam with another service or a billing piece: the exam, and a none piece, so never auto', () => {
    for (const n of ['心脏彩超+心电图', '甲状腺彩超+胶片', '全身骨显像+心电图']) {
      const r = engine.match(n);
      assert.equal(r.decision, 'review', n);
      assert.deepEqual(r.exams.map((e) => e.decision), ['auto', 'none'], n);
    }
    assert.match(engine.match('彩超报告费').reason ?? '', /not an exam/);
  });

  test('动静脉: the artery and the vein exams', () => {
    assert.deepEqual(read('双下肢动静脉彩超').codes, ['50U904000C0000', '50U913000C0000']);
  });

  test('without the extension matcher, ultrasound names stay none (the engine alone is unchanged)', () => {
    const alone = createMatcher(loadDefaultItems(REPO_ROOT).items);
    assert.equal(alone.match('甲状腺彩超').decision, 'none');
    assert.equal(new ExtensionMatcher(items).match('胸部CT平扫').decision, 'none');
  });
});

describe('probe 3 classes (docs/matching.md "Extension probe 3")', () => {
  test('English and abbreviated ultrasound names: modality, part, side, age and method words', () => {
    assert.deepEqual(read('US thyroid').codes, ['50U101000C0000']);
    assert.deepEqual(read('Renal US').codes, ['50U502000C0000']);
    assert.deepEqual(read('Adrenal ultrasound').codes, ['50U503000C0000']);
    assert.deepEqual(read('Doppler carotid left').codes, ['50Ua05000C0000']);
    assert.deepEqual(read('TTE').codes, ['50U801000C0000']);
    assert.deepEqual(read('Echocardiogram paediatric').codes, ['50U812000C0000']);
    assert.deepEqual(read('TRUS').codes, ['50U508500C0000']);
    assert.deepEqual(read('CEUS kidney').codes, ['50U502000C4000']);
    // an English word the vocabulary does not read may change the item (stress echo): review, not auto
    assert.equal(read('Echo stress').decision, 'review');
    assert.equal(read('US thyroid').decision, 'auto');
    // in a Chinese name a Latin word is an aside
    assert.equal(read('ICU床边肾脏彩超').decision, 'auto');
    // `echo` is also an MR sequence word: with MR named, the line stays the engine's
    assert.equal(read('MR lumbar spine spin echo').r.exams[0]?.candidates[0]?.system, EXAM_ITEM);
  });

  test('pregnancy words name the fetal exam (孕N周, 产前, 妊娠, 羊水); 产前筛查 is the graded screening', () => {
    assert.deepEqual(read('孕20周胎儿B超').codes, ['50U701000C0000']);
    assert.deepEqual(read('妊娠四维超声').codes, ['50U701000C3000']);
    assert.deepEqual(read('羊水B超').codes, ['50U701000C0000']);
    assert.deepEqual(read('三级产前筛查彩超').codes, ['50U701009C0000']);
    assert.equal(read('产前筛查彩超').decision, 'review');
    // before a pregnancy / infertility: no fetus
    assert.deepEqual(read('备孕子宫附件彩超').codes, ['50U601000C0000']);
    assert.deepEqual(read('不孕症卵泡监测').codes, ['50U603025C0000']);
  });

  test('a word inside a vessel or node name (深, 内, 区 …) is the same part', () => {
    assert.deepEqual(read('右下肢浅静脉彩超').codes, ['50U915000C0000']);
    assert.deepEqual(read('右侧颈外静脉B超').codes, ['50Ua03000C0000']);
    assert.deepEqual(read('腹股沟区淋巴结超声').codes, ['50U119000C0000']);
    assert.deepEqual(read('左颈总动脉彩超').codes, ['50Ua05000C0000']);
  });

  test('残余尿 is ultrasound with no modality word, and CT/MR when named', () => {
    assert.deepEqual(read('残余尿测定').codes, ['50U505029C0000']);
    assert.equal(read('膀胱CT平扫(残余尿)').r.exams[0]?.candidates[0]?.system, EXAM_ITEM);
  });

  test('a heart chamber names the heart exam', () => {
    assert.deepEqual(read('左心声学造影').codes, ['50U801000C4000']);
  });

  test('a region word whose items the line names adds no exam of its own', () => {
    assert.deepEqual(read('下肢血管彩超(下肢动脉)').codes.length, 1);
    assert.deepEqual(read('颈部血管B超:颈动脉、椎动脉').codes, ['50Ua04000C0000', '50Ua07000C0000']);
  });

  test('a sub-item on a part of the named composite: one exam of that part, review (not two auto exams)', () => {
    const r = read('妇科彩超+卵泡监测');
    assert.equal(r.decision, 'review');
    assert.deepEqual(r.codes, ['50U603025C0000']);
  });

  test('a sub-item that exists with one approach only implies the approach (脓肿穿刺引流 is 经皮)', () => {
    assert.deepEqual(read('盆腔脓肿引流(超声引导)').codes, ['50U613626C5000']);
  });

  test('SPECT: stress and rest are two exams; an item name inside the text outranks a similar organ', () => {
    const pair = read('负荷+静息心肌灌注断层显像');
    assert.deepEqual(pair.codes, ['C010A705Bd000', 'C010A704Bd000']);
    const brain = read('脑血流灌注平面显像');
    assert.equal(brain.decision, 'review');
    assert.deepEqual(brain.codes, ['C010A302B7000']);
    assert.deepEqual(read('乳腺前哨淋巴结显像').codes, ['C010A109B0000']);
    assert.deepEqual(read('Meckel憩室显像').codes, ['C010A509B0000']);
  });
});
