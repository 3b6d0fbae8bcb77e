import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters } from '../../../test/fixtures/fuzz-seed.ts';
import {
  decodeHeader,
  MAX_TOKEN_LENGTH,
  MalformedJwsError,
  parseCompactJws,
  parsePayload,
  signingInputOf,
} from './compact-jws.ts';

const encode = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const header = encode(Buffer.from('{"alg":"ES384"}'));

function accepts(segment: string): boolean {
  try {
    parseCompactJws(`${header}.${segment}.${header}`);
    return true;
  } catch (error) {
    assert.ok(error instanceof MalformedJwsError);
    return false;
  }
}

describe('parseCompactJws', () => {
  it('accepts canonical base64url of any bytes and decodes it exactly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        const jws = parseCompactJws(`${header}.${encode(bytes)}.${encode(bytes)}`);
        assert.equal(jws.payload, Buffer.from(bytes).toString('utf8'));
        assert.deepEqual(new Uint8Array(jws.signature), bytes);
      }),
      fuzzParameters(100),
    );
  });

  it('accepts a segment exactly when it is the canonical encoding of what it decodes to', () => {
    const characters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=*. é\n'.split('');
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...characters), { minLength: 1, maxLength: 12 }), (chars) => {
        const segment = chars.join('');
        const canonical = Buffer.from(segment, 'base64url').toString('base64url') === segment;
        assert.equal(accepts(segment), canonical, JSON.stringify(segment));
      }),
      fuzzParameters(5000),
    );
  });

  it('refuses padding, the base64 alphabet, and non-zero trailing bits', () => {
    assert.equal(accepts('YQ'), true);
    assert.equal(accepts('YQ=='), false);
    assert.equal(accepts('YR'), false); // same byte as "YQ", with a trailing bit set
    assert.equal(accepts('-_8'), true);
    assert.equal(accepts('+/8'), false);
  });

  it('gives the signing input as the ASCII bytes before the second dot', () => {
    const payload = encode(Buffer.from('{"sub":"ü"}'));
    const jws = parseCompactJws(`${header}.${payload}.${header}`);
    assert.equal(Buffer.from(signingInputOf(jws)).toString('latin1'), `${header}.${payload}`);
    assert.equal(jws.payload, '{"sub":"ü"}');
    assert.deepEqual(new Uint8Array(jws.signature), new Uint8Array(Buffer.from('{"alg":"ES384"}')));
    parseCompactJws(`${payload}.${header}.${payload}`); // reuses the scratch buffer
    assert.deepEqual(parsePayload(jws), { sub: 'ü' }, 'the payload does not depend on later tokens');
  });

  it('parses a payload only when it is a JSON object', () => {
    const parse = (text: string) => parsePayload(parseCompactJws(`${header}.${encode(Buffer.from(text))}.${header}`));
    assert.deepEqual(parse('{"sub":"a","aud":["x"]}'), { sub: 'a', aud: ['x'] });
    assert.throws(() => parse('"text"'), /payload is not a JSON object/);
    assert.throws(() => parse('null'), /payload is not a JSON object/);
    assert.throws(() => parse('[{}]'), /payload is not a JSON object/);
    assert.throws(() => parse('{"sub":'), /payload is not valid JSON/);
  });

  it('refuses a token over the size limit before looking at it', () => {
    assert.throws(() => parseCompactJws('a'.repeat(MAX_TOKEN_LENGTH + 1)), /longer than/);
  });

  it('refuses anything but three non-empty parts', () => {
    for (const token of ['abc', 'a.b', 'a.b.c.d', '.b.c', 'a..c', 'a.b.']) {
      assert.throws(() => parseCompactJws(token), MalformedJwsError, token);
    }
  });

  it('decodes a header only when it is a canonical JSON object', () => {
    assert.deepEqual(decodeHeader(header), { alg: 'ES384' });
    assert.throws(() => decodeHeader(encode(Buffer.from('[1]'))), /not a JSON object/);
    assert.throws(() => decodeHeader(encode(Buffer.from('{"alg"'))), /not valid JSON/);
    assert.throws(() => decodeHeader(`${header}=`), /not canonical/);
  });
});
