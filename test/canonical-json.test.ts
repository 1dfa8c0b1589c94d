/**
 * The one canonical JSON form: hashes taken by the store, the audit chain and sync releases agree
 * only because they all go through it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from '../src/canonical-json.js';
import { contentHash } from '../src/store/canonical.js';
import { resourceHash } from '../src/sync/hash.js';

test('canonical json: key order does not matter, array order does, undefined members are dropped', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: undefined } }), '{"a":{"d":[2,1]},"b":1}');
  assert.equal(canonicalJson({ a: { d: [2, 1] }, b: 1 }), canonicalJson({ b: 1, a: { d: [2, 1] } }));
  assert.notEqual(canonicalJson([1, 2]), canonicalJson([2, 1]));
  assert.equal(canonicalJson({ 中: '文', Z: null }), '{"Z":null,"中":"文"}');
});

test('canonical json: the store content hash and the sync release hash of a resource agree, meta aside', () => {
  const resource = { resourceType: 'CodeSystem', id: 'x', meta: { versionId: '3' }, url: 'http://x', concept: [{ code: 'a' }] };
  const reordered = { concept: [{ code: 'a' }], url: 'http://x', id: 'x', resourceType: 'CodeSystem', meta: { versionId: '9' } };
  assert.equal(contentHash(resource), resourceHash(resource));
  assert.equal(contentHash(reordered), contentHash(resource));
  assert.notEqual(contentHash({ ...resource, url: 'http://y' }), contentHash(resource));
});
