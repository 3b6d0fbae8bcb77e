import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBase64url, encodeBase64url, randomBase64url } from './base64url.ts';

describe('base64url', () => {
  it('round-trips every length and byte value, unpadded and URL-safe', () => {
    for (let length = 0; length < 70; length += 1) {
      const bytes = Uint8Array.from({ length }, (_, index) => (index * 37 + length) % 256);
      const text = encodeBase64url(bytes);
      assert.match(text, /^[A-Za-z0-9_-]*$/);
      assert.deepEqual(decodeBase64url(text), bytes);
    }
    assert.equal(encodeBase64url(new Uint8Array([251, 255])), '-_8');
  });

  it('encodes large inputs (beyond one String.fromCharCode call)', () => {
    const bytes = Uint8Array.from({ length: 100_000 }, (_, index) => (index * 31) % 256);
    assert.deepEqual(decodeBase64url(encodeBase64url(bytes)), bytes);
  });

  it('gives random ids of the asked size', () => {
    const ids = new Set(Array.from({ length: 100 }, () => randomBase64url(32)));
    assert.equal(ids.size, 100);
    for (const id of ids) assert.equal(decodeBase64url(id)?.length, 32);
  });
});

describe('base64url decoding is canonical', () => {
  it('refuses a changed unused low bit in the last character (two- and three-character tails)', () => {
    for (const length of [1, 2, 4, 5]) {
      const bytes = Uint8Array.from({ length }, (_, index) => index + 1);
      const text = encodeBase64url(bytes);
      assert.ok(decodeBase64url(text));
      const last = text.at(-1)!;
      const sibling = String.fromCharCode(last.charCodeAt(0) + 1);
      const altered = `${text.slice(0, -1)}${sibling}`;
      assert.equal(decodeBase64url(altered), undefined, `${text} → ${altered}`);
    }
  });

  it('refuses padding, the standard alphabet, whitespace and an impossible length', () => {
    for (const text of ['AQ==', 'AQ=', '+/8', '/w', 'AQ ', ' AQ', 'A', 'AAAAA']) {
      assert.equal(decodeBase64url(text), undefined, JSON.stringify(text));
    }
  });
});
