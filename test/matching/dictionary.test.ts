import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TermDictionary } from '../../src/matching/dictionary.js';
import { canonViews } from '../../src/matching/scoring.js';
import { splitPieces } from '../../src/matching/split.js';

/** The definition the trie must keep: at each position the longest term that fits before `to`, else move one on. */
function reference(terms: string[], text: string, from = 0, to = text.length): Array<[string, number]> {
  const byLength = [...terms].sort((a, b) => b.length - a.length);
  const hits: Array<[string, number]> = [];
  let i = from;
  while (i < to) {
    const term = byLength.find((t) => i + t.length <= to && text.startsWith(t, i));
    if (term) {
      hits.push([term, i]);
      i += term.length;
    } else i++;
  }
  return hits;
}

function dictionary(terms: string[]): TermDictionary<string> {
  const d = new TermDictionary<string>();
  for (const t of terms) d.add(t, t.toUpperCase());
  return d.build();
}

const TERMS = ['颈', '颈椎', '颈椎间盘', '椎间盘', '腰椎', '胸', '胸部', '部', 'ct', 'cta', 'ab'];

test('TermDictionary.scan: longest term at each position, non-overlapping, leftmost first', () => {
  const d = dictionary(TERMS);
  for (const text of ['颈椎间盘ct平扫', '颈椎腰椎cta', '胸部ctab', 'abc', '', '颈', 'x颈椎间', '胸部胸部']) {
    const got = d.scan(text).map((h) => [h.term, h.start] as [string, number]);
    assert.deepEqual(got, reference(TERMS, text), text);
    for (const h of d.scan(text)) {
      assert.equal(h.end, h.start + h.term.length);
      assert.equal(h.value, h.term.toUpperCase());
    }
  }
});

test('TermDictionary.scan honours from/to: a term must end by `to`', () => {
  const d = dictionary(TERMS);
  const text = '颈椎间盘ct';
  assert.deepEqual(d.scan(text, 0, 3).map((h) => [h.term, h.start]), reference(TERMS, text, 0, 3));
  assert.deepEqual(d.scan(text, 0, 3).map((h) => h.term), ['颈椎']); // 颈椎间盘 would end after `to`
  assert.deepEqual(d.scan(text, 2).map((h) => [h.term, h.start]), reference(TERMS, text, 2));
});

test('TermDictionary.first and occursIn agree with scan', () => {
  const d = dictionary(TERMS);
  for (const text of ['x颈椎间盘', '平扫', '', 'zzcta', '部']) {
    assert.deepEqual(d.first(text), d.scan(text)[0], text);
    assert.equal(d.occursIn(text), d.scan(text).length > 0, text);
  }
});

test('TermDictionary: terms added after build are found by get, not by scan (build freezes the scan)', () => {
  const d = dictionary(['胸部']);
  d.add('腹部', '腹部');
  assert.equal(d.get('腹部'), '腹部');
  assert.deepEqual(d.scan('腹部'), []);
  d.build();
  assert.equal(d.scan('腹部').length, 1);
});

test('splitPieces: top-level separators only, empty pieces dropped, each piece keeps the separator before it', () => {
  assert.deepEqual(splitPieces('胸部ct+上腹部ct'), [{ sep: '', text: '胸部ct' }, { sep: '+', text: '上腹部ct' }]);
  assert.deepEqual(splitPieces('ct平扫(颅脑+胸部)、颈椎；腰椎'), [{ sep: '', text: 'ct平扫(颅脑+胸部)' }, { sep: '、', text: '颈椎' }, { sep: '；', text: '腰椎' }]);
  assert.deepEqual(splitPieces('+,颈椎,,腰椎+'), [{ sep: ',', text: '颈椎' }, { sep: ',', text: '腰椎' }]);
  assert.deepEqual(splitPieces('a)b+c[d,e]'), [{ sep: '', text: 'a)b' }, { sep: '+', text: 'c[d,e]' }]);
});

test('canonViews: frontal and Waters synonyms merged, postures dropped, sorted without repeats', () => {
  assert.equal(canonViews(['后前', '侧']), '侧|正');
  assert.equal(canonViews(['正', '前后', '站立']), '正');
  assert.equal(canonViews(['瓦氏', '华氏', '仰卧']), '华氏');
  assert.equal(canonViews([]), '');
});
