import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareJson, sameBase64Bytes, type CompareOptions } from './compare.js';

const options = (): CompareOptions => ({ modes: new Set(['general']), fhirVersion: '4.0.1', lenientMatches: [] });

test('the base64 fallback equates strings that differ only outside the base64 alphabet, as commons-codec does', () => {
  assert.equal(sameBase64Bytes('Display 2', 'Display #2'), true);
  assert.equal(sameBase64Bytes("CodeSystem 'http://x/y' could", 'CodeSystem http://x/y could'), true);
  assert.equal(sameBase64Bytes('Display 2', 'Display 3'), false);
  assert.equal(sameBase64Bytes('abcd', 'abce'), false);
  // Decoding stops at the first pad character.
  assert.equal(sameBase64Bytes('QUJD=tail one', 'QUJD=tail two'), true);
});

test('a string accepted only by the fallback is reported, and withdrawn when its array alternative fails', () => {
  const opts = options();
  assert.equal(compareJson({ display: 'Display 2' }, { display: 'Display #2' }, 'x', opts), null);
  assert.deepEqual(opts.lenientMatches, ['x.display: expected "Display 2" got "Display #2"']);

  const arrays = options();
  // The optional first item's display passes only by the fallback, then its code fails: the note goes.
  const expected = [{ $optional$: true, display: 'Display 2', code: 'alpha' }, { display: 'Display #2', code: 'beta' }];
  assert.equal(compareJson(expected, [{ display: 'Display #2', code: 'beta' }], 'list', arrays), null);
  assert.deepEqual(arrays.lenientMatches, []);
  const mismatch = options();
  assert.notEqual(compareJson({ display: 'Display 2' }, { display: 'Display 3' }, 'x', mismatch), null);
});
