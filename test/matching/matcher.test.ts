import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { run } from './helpers.js';

const CT_CHEST = '20040100110000';

describe('modality synonyms', () => {
  test('磁共振/核磁/MRI/MR all read as MR', () => {
    for (const n of ['磁共振腰椎平扫', '核磁腰椎平扫', '腰椎MRI平扫', '腰椎MR平扫', '核磁共振腰椎平扫']) {
      assert.equal(run(n).codes, '30030400110000', n);
    }
  });
  test('X线/DR/CR/摄片/平片/X光 read as X-ray', () => {
    for (const n of ['X线胸部正位', 'DR胸部正位', 'CR胸部正位', '胸部正位摄片', '胸部正位平片', 'X光胸部正位']) {
      assert.equal(run(n).codes, '40040100000100', n);
    }
  });
  test('钼靶/乳腺X线 read as MG, 造影/钡餐 as RF', () => {
    assert.equal(run('双侧乳腺钼靶').codes, '44040803M10000');
    assert.equal(run('乳腺X线摄影(双侧)').codes, '44040803M10000');
    assert.equal(run('上消化道钡餐造影').codes, '45050107X10000');
    assert.equal(run('膀胱造影').codes, '45060103X10000');
  });
  test('X-ray words mean MG only on the breast (乳突 is the mastoid)', () => {
    assert.ok(!run('双乳突许氏位片').codes.startsWith('44'));
    assert.equal(run('乳房DR').codes, '44040803M10000');
  });
  test('an explicit modality option is used when the name has none', () => {
    assert.equal(run('胸部平扫', { modality: 'MR' }).codes, '30040100110000');
    assert.equal(run('胸部平扫', { modality: '2' }).codes, CT_CHEST);
  });
});

describe('body-part synonyms and hierarchy', () => {
  test('头颅/颅脑/脑/头部 → 颅脑', () => {
    for (const n of ['头颅CT平扫', '颅脑CT平扫', '脑CT平扫', 'CT头部平扫']) assert.equal(run(n).codes, '20010100110000', n);
  });
  test('肺/双肺/胸部 → 胸部', () => {
    for (const n of ['肺CT平扫', '双肺CT平扫', '胸部CT平扫', '肺部CT平扫']) assert.equal(run(n).codes, CT_CHEST, n);
  });
  test('腰椎间盘 → 腰椎; 肝胆胰脾 → 上腹部', () => {
    assert.equal(run('腰椎间盘CT平扫').codes, '20030400110000');
    assert.equal(run('肝胆胰脾CT平扫').codes, '20050100110000');
  });
  test('a one-character word gives way to a later full part name (中心 is not the heart)', () => {
    assert.equal(run('影像中心胸部CT平扫').codes, CT_CHEST);
    assert.equal(run('右手拇指正侧位').codes, '40071004003700');
  });
  test('vertebral levels name the spine segment', () => {
    assert.equal(run('C3-C7椎间盘CT平扫').codes, '20030202110000');
    assert.equal(run('L4/5椎间盘CT平扫').codes, '20030400110000');
  });
  test('a part without its own item falls back to the region (眼眶 CT plain → 眼部) or the unspecified part', () => {
    assert.equal(run('眼眶CT平扫').codes, '20010600110000');
    assert.equal(run('磁共振增强扫描').codes, '30999999210000');
  });
});

describe('laterality', () => {
  test('左/右/双 select the side', () => {
    assert.equal(run('左膝关节MR平扫').codes, '30072201110000');
    assert.equal(run('右膝关节MR平扫').codes, '30072202110000');
    assert.equal(run('双膝关节MR平扫').codes, '30072203110000');
    assert.equal(run('MRI膝关节平扫(左)').codes, '30072201110000');
  });
  test('no side for a paired part is not auto; listed alternatives stay among the listed sides', () => {
    const r = run('膝关节MR平扫');
    assert.notEqual(r.decision, 'auto');
    assert.match(r.codes, /^300722\d\d110000$/);
    const alt = run('磁共振左/右踝关节平扫');
    assert.ok(['30072501110000', '30072502110000'].includes(alt.codes), alt.codes);
    assert.notEqual(alt.decision, 'auto');
  });
});

describe('scan methods and post-processing spellings', () => {
  test('平扫+增强 is one exam (22), 增强 alone is 21', () => {
    assert.equal(run('胸部CT平扫+增强').codes, '20040100220000');
    assert.equal(run('CT平扫+增强【胸部】').codes, '20040100220000');
    assert.equal(run('胸部增强CT').codes, '20040100210000');
  });
  test('CTA / 血管成像 / MRA map to the vessel item', () => {
    assert.equal(run('冠状动脉CTA').codes, '20080602330000');
    assert.equal(run('颈部CTA').codes, '20080201330000');
    assert.equal(run('头颅MRA').codes, '30080101310000');
    assert.equal(run('下肢静脉CTV').codes, '20081202340000');
  });
  test('三维重建 / 3D / 三维 add post-processing 11', () => {
    for (const n of ['头颅CT平扫+三维重建', '头颅CT平扫+3D', '头颅CT平扫三维']) assert.equal(run(n).codes, '20010100111100', n);
  });
  test('low dose and MR functional methods', () => {
    assert.equal(run('低剂量胸部CT').codes, '20040100120000');
    assert.equal(run('头颅MRI平扫+DWI').codes, '30010100110000+30010100520000');
    assert.equal(run('MR胰胆管成像').codes, '30050103430000');
  });
});

describe('X-ray views', () => {
  test('正侧位 / 正、侧位 / 双斜位 / 张口位 / 过伸过屈位', () => {
    assert.equal(run('颈椎正侧位片').codes, '40030202003700');
    assert.equal(run('颈椎正、侧位').codes, '40030202003700');
    assert.equal(run('颈椎双斜位').codes, '40030202000700');
    assert.equal(run('颈椎张口位').codes, '40030202001700');
    assert.equal(run('颈椎开口位').codes, '40030202001700');
    assert.equal(run('颈椎过伸过屈位').codes, '40030202004400');
  });
  test('views no single item covers become one exam per view', () => {
    assert.equal(run('骨盆出入口位').codes, '40060900001900+40060900002000');
    assert.equal(run('左肩关节正位+穿胸位').codes, '40070301000100+40070301001600', '穿胸位 is a view, not the chest');
    const noSide = run('肩胛骨正切位片');
    assert.match(noSide.codes, /^4007040\d000100\+4007040\d002300$/);
    assert.equal(noSide.decision, 'review', 'no side named');
  });
});

describe('width, brackets, typos, noise', () => {
  test('full-width letters and brackets', () => {
    for (const n of ['胸部ＣＴ平扫', 'CT胸部（平扫）', '* CT胸部(平扫)', '【胸部】CT平扫', '64排CT平扫（胸部）']) assert.equal(run(n).codes, CT_CHEST, n);
  });
  test('钼钯 is read as 钼靶', () => {
    assert.equal(run('乳腺钼钯双侧').codes, '44040803M10000');
  });
  test('billing and logistics tags do not change the item', () => {
    for (const n of ['胸部CT平扫(医保)', '胸部CT(不出片)', '胸部CT平扫(团单)', '胸部CT平扫(加急)', '胸部CT平扫川渝HR', '胸部CT平扫陕HR']) {
      assert.equal(run(n).codes, CT_CHEST, n);
    }
    for (const n of ['胸部CT平扫(含胶片)', '胸部CT平扫(不含胶片)', '手术后复查胸部CT平扫']) assert.equal(run(n).codes, CT_CHEST, n);
    assert.equal(run('胸部CT增强(含对比剂)').codes, '20040100210000', 'an exam that includes contrast is still an exam');
    const r = run('胸部CT平扫(医保)').result;
    assert.deepEqual(r.exams[0]?.facets['noise'], ['医保']);
  });
});

describe('multi-exam lines', () => {
  test('胸部CT+上腹部CT gives two exams', () => {
    assert.equal(run('胸部CT+上腹部CT').codes, `${CT_CHEST}+20050100110000`);
  });
  test('颈椎、腰椎正侧位 shares the views', () => {
    assert.equal(run('颈椎、腰椎正侧位').codes, '40030202003700+40030400003700');
  });
  test('a bracket listing several parts names several exams; a bracket detail does not', () => {
    assert.equal(run('CT平扫(颅脑+胸部)').codes, '20010100110000+20040100110000');
    assert.equal(run('上腹部CT平扫+增强(肝胆胰脾)').codes, '20050100220000');
  });
  test('an exam that names its own modality does not borrow the next exam\'s views', () => {
    const r = run('胸部DR+颈椎DR正侧位');
    assert.equal(r.codes, '40040100000100+40030202003700');
    assert.equal(r.result.exams[0]?.decision, 'review');
  });
  test('a method written once for a list of parts applies to each', () => {
    assert.equal(run('CT平扫-胸部+腹部').codes, '20040100110000+20053000110000');
    assert.equal(run('颈椎+腰椎MR平扫').codes, '30030202110000+30030400110000');
  });
  test('two methods on one part give two exams', () => {
    assert.equal(run('头颅MRA+MRI平扫').codes, '30080101310000+30010100110000');
  });
});

describe('billing and non-exam lines → none', () => {
  for (const n of ['CT增强加收', 'MRI片会诊', '胶片费', '造影剂', '一次性耗材', 'MR检查费', '腹部彩超']) {
    test(n, () => {
      const r = run(n);
      assert.equal(r.decision, 'none');
      assert.equal(r.codes, '');
    });
  }
  test('nothing recognisable is not auto', () => {
    for (const n of ['V04_0014', '123', '其他']) assert.equal(run(n).decision, 'none', n);
  });
});

describe('device hints are facets; device-neutral items are preferred', () => {
  test('64排 / 16排以上 / 双源 / 3.0T', () => {
    const ct = run('64排CT平扫(胸部)');
    assert.equal(ct.codes, CT_CHEST);
    assert.deepEqual(ct.result.exams[0]?.facets['device'], { slices: '64排' });
    const mr = run('3.0T磁共振腰椎平扫');
    assert.equal(mr.codes, '30030400110000');
    assert.equal((mr.result.exams[0]?.facets['device'] as Record<string, string>)['fieldStrength'], '3.0t');
  });
  test('a bedside hint picks the mobile DR item only where the standard has one', () => {
    assert.equal(run('床边胸部摄片').codes, '42040100000000');
    assert.equal(run('右膝关节正侧位(床边DR)').codes, '40072202003700');
  });
});

describe('explanations and decisions', () => {
  test('a method word the item cannot express keeps the guess in review', () => {
    assert.equal(run('CT小肠造影').decision, 'review');
    assert.equal(run('胸部CT').decision, 'auto', 'a bare CT name is a plain scan by convention');
  });
  test('a clear name is auto with facets and a score', () => {
    const r = run('胸部CT平扫').result;
    assert.equal(r.decision, 'auto');
    const e = r.exams[0];
    assert.ok(e);
    assert.equal(e.candidates[0]?.score, 1);
    assert.equal(e.facets['modality'], 'CT');
    assert.equal(e.facets['scan'], '11');
    assert.deepEqual(e.facets['bodyPart'], { term: '胸部', l3: '040100', laterality: undefined, unspecified: undefined });
  });
  test('a name that says both CT and MR is never auto', () => {
    for (const n of ['CT/MR头颅平扫', '64排腰椎MRI平扫']) {
      const r = run(n);
      assert.equal(r.decision, 'review', n);
      assert.match(String(r.result.exams[0]?.facets['conflict']), /CT and MR/);
    }
  });
  test('a leading tag naming another region makes the line review, a consistent tag does not', () => {
    const c = run('[胸部]16排以上螺旋X线计算机体层(CT)平扫颅脑(医保)');
    assert.equal(c.codes, '20010100110000');
    assert.equal(c.decision, 'review');
    assert.match(String(c.result.exams[0]?.facets['conflict']), /胸部/);
    assert.equal(run('[肺脏]16排以上螺旋X线计算机体层(CT)胸部平扫(医保)').decision, 'auto');
    assert.equal(run('[胸部]16排以上螺旋X线计算机体层(CT)其它平扫(医保)').codes, '20040100110000');
  });
  test('candidates are ranked and limited', () => {
    const r = run('胸部CT平扫', { limit: 3 }).result;
    const c = r.exams[0]?.candidates ?? [];
    assert.equal(c.length, 3);
    assert.ok((c[0]?.score ?? 0) >= (c[1]?.score ?? 0) && (c[1]?.score ?? 0) >= (c[2]?.score ?? 0));
  });
});

test('arbitrary input never throws and always yields a well-formed result', () => {
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const alphabet = ['胸', '部', 'C', 'T', '平', '扫', '(', ')', '[', ']', '+', '、', ',', '左', '右', '/', '位', '正', '侧', '造', '影', 'M', 'R', '3', '.', '0', 'T', ' ', '【', '】', '（', '）', '磁', '共', '振', '膝', '关', '节', '血', '管', '\t', '😀', '\\', '"'];
  for (let i = 0; i < 3000; i++) {
    const len = Math.floor(rand() * 40);
    let s = '';
    for (let j = 0; j < len; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
    const r = run(s).result;
    assert.ok(['auto', 'review', 'none'].includes(r.decision));
    for (const e of r.exams) for (const c of e.candidates) assert.ok(c.score >= 0 && c.score <= 1 && /^[0-9A-Za-z]{14}$/.test(c.code), s);
  }
  assert.equal(run('x'.repeat(5000)).decision, 'none');
});
