import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CookieSealer, joinCookieValue, splitCookieValue } from './cookie-session.ts';
import { clock } from './test-support/cookie-jar.ts';

const secretA = 'a-very-long-secret-for-tests-0001';
const secretB = 'b-very-long-secret-for-tests-0002';

function flip(sealed: string, index: number): string {
  const [version, kid, body] = sealed.split('.') as [string, string, string];
  const bytes = Buffer.from(body, 'base64url');
  bytes[index]! ^= 0x01;
  return `${version}.${kid}.${bytes.toString('base64url')}`;
}

describe('CookieSealer', () => {
  it('round-trips a value', async () => {
    const time = clock();
    const sealer = new CookieSealer({ secrets: [secretA], now: time.now });
    const sealed = await sealer.seal('s', { a: '1' }, time.now() + 1000);
    assert.match(sealed, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.deepEqual(await sealer.unseal('s', sealed), { ok: true, value: { a: '1' }, expiresAt: time.now() + 1000 });
  });

  it('does not reveal the plaintext', async () => {
    const sealer = new CookieSealer({ secrets: [secretA] });
    const sealed = await sealer.seal('s', { token: 'secret-refresh-token' }, Date.now() + 1000);
    assert.doesNotMatch(Buffer.from(sealed.split('.')[2]!, 'base64url').toString('latin1'), /secret-refresh-token/);
  });

  it('refuses a value with any single byte changed', async () => {
    const time = clock();
    const sealer = new CookieSealer({ secrets: [secretA], now: time.now });
    const sealed = await sealer.seal('s', { a: '1' }, time.now() + 1000);
    const length = Buffer.from(sealed.split('.')[2]!, 'base64url').length;
    for (let index = 0; index < length; index += 1) {
      const result = await sealer.unseal('s', flip(sealed, index));
      assert.deepEqual(result, { ok: false, reason: 'tampered' }, `byte ${index}`);
    }
  });

  it('refuses a truncated value', async () => {
    const sealer = new CookieSealer({ secrets: [secretA] });
    const sealed = await sealer.seal('s', { a: '1' }, Date.now() + 1000);
    assert.equal((await sealer.unseal('s', sealed.slice(0, -4))).ok, false);
    assert.equal((await sealer.unseal('s', sealed.slice(0, 20))).ok, false);
  });

  it('refuses malformed values without throwing', async () => {
    const sealer = new CookieSealer({ secrets: [secretA] });
    for (const value of ['', 'garbage', 'v1..', 'v2.abc.def', 'v1.x.y.z', 'v1.abc.!!!']) {
      assert.equal((await sealer.unseal('s', value)).ok, false, value);
    }
  });

  it('refuses a value sealed with another secret', async () => {
    const sealed = await new CookieSealer({ secrets: [secretB] }).seal('s', { a: '1' }, Date.now() + 1000);
    assert.deepEqual(await new CookieSealer({ secrets: [secretA] }).unseal('s', sealed), {
      ok: false,
      reason: 'unknown_key',
    });
  });

  it('refuses a value whose key id was swapped to a known key', async () => {
    const a = new CookieSealer({ secrets: [secretA] });
    const both = new CookieSealer({ secrets: [secretA, secretB] });
    const sealedB = await new CookieSealer({ secrets: [secretB] }).seal('s', { a: '1' }, Date.now() + 1000);
    const kidA = (await a.seal('s', {}, Date.now() + 1000)).split('.')[1]!;
    const [version, , body] = sealedB.split('.');
    assert.deepEqual(await both.unseal('s', `${version}.${kidA}.${body}`), { ok: false, reason: 'tampered' });
  });

  it('refuses a value sealed for another cookie name', async () => {
    const sealer = new CookieSealer({ secrets: [secretA] });
    const sealed = await sealer.seal('other', { a: '1' }, Date.now() + 1000);
    assert.deepEqual(await sealer.unseal('s', sealed), { ok: false, reason: 'tampered' });
  });

  it('rotates: the newest secret seals, older secrets still unseal', async () => {
    const old = new CookieSealer({ secrets: [secretA] });
    const rotated = new CookieSealer({ secrets: [secretB, secretA] });
    const sealedBefore = await old.seal('s', { a: '1' }, Date.now() + 1000);
    assert.equal((await rotated.unseal('s', sealedBefore)).ok, true);
    const sealedAfter = await rotated.seal('s', { a: '2' }, Date.now() + 1000);
    assert.equal((await new CookieSealer({ secrets: [secretB] }).unseal('s', sealedAfter)).ok, true);
    assert.equal((await old.unseal('s', sealedAfter)).ok, false);
  });

  it('refuses an expired value, using the injected clock', async () => {
    const time = clock();
    const sealer = new CookieSealer({ secrets: [secretA], now: time.now });
    const sealed = await sealer.seal('s', { a: '1' }, time.now() + 60_000);
    time.advance(59_999);
    assert.equal((await sealer.unseal('s', sealed)).ok, true);
    time.advance(1);
    assert.deepEqual(await sealer.unseal('s', sealed), { ok: false, reason: 'expired' });
  });

  it('refuses short or missing secrets', async () => {
    assert.throws(() => new CookieSealer({ secrets: [] }), TypeError);
    assert.throws(() => new CookieSealer({ secrets: ['short'] }), /at least 32 characters/);
  });
});

describe('cookie chunks', () => {
  it('splits a long value and joins it back', async () => {
    const value = 'x'.repeat(9000);
    const chunks = splitCookieValue('s', value, 3800);
    assert.deepEqual(
      chunks.map(([name, chunk]) => [name, chunk.length]),
      [
        ['s', 3800],
        ['s.1', 3800],
        ['s.2', 1400],
      ],
    );
    const joined = joinCookieValue('s', new Map(chunks));
    assert.equal(joined.value, value);
    assert.deepEqual(joined.present, ['s', 's.1', 's.2']);
  });

  it('keeps a short value in one cookie', async () => {
    assert.deepEqual(splitCookieValue('s', 'abc'), [['s', 'abc']]);
  });

  it('lists chunks of this cookie only', async () => {
    const cookies = new Map([
      ['s', 'a'],
      ['s.1', 'b'],
      ['s.9', 'stale'],
      ['sx', 'other'],
      ['s.a', 'other'],
      ['other.1', 'other'],
    ]);
    const joined = joinCookieValue('s', cookies);
    assert.equal(joined.value, 'ab');
    assert.deepEqual(joined.present, ['s', 's.1', 's.9']);
  });

  it('reads nothing without the first chunk', async () => {
    assert.equal(joinCookieValue('s', new Map([['s.1', 'b']])).value, undefined);
  });

  it('refuses a sealed value whose chunks were swapped', async () => {
    const sealer = new CookieSealer({ secrets: [secretA] });
    const sealed = await sealer.seal('s', { data: 'y'.repeat(6000) }, Date.now() + 1000);
    const chunks = splitCookieValue('s', sealed, 2000);
    assert.ok(chunks.length >= 3);
    const swapped = new Map<string, string>([
      ['s', chunks[0]![1]],
      ['s.1', chunks[2]![1]],
      ['s.2', chunks[1]![1]],
    ]);
    assert.equal((await sealer.unseal('s', joinCookieValue('s', swapped).value!)).ok, false);
    assert.equal((await sealer.unseal('s', joinCookieValue('s', new Map(chunks)).value!)).ok, true);
  });
});

/**
 * Seals `plaintext` as CookieSealer does (HKDF-SHA-256 of the secret, AES-256-GCM, the cookie name
 * as additional data), so the payload checks that follow decryption can be tried one by one.
 */
async function sealRaw(secret: string, name: string, plaintext: Uint8Array): Promise<string> {
  const utf8 = new TextEncoder();
  const ikm = await crypto.subtle.importKey('raw', utf8.encode(secret), 'HKDF', false, ['deriveBits', 'deriveKey']);
  const hkdf = (info: string) => ({
    name: 'HKDF',
    hash: 'SHA-256',
    salt: utf8.encode('logto-kit cookie session'),
    info: utf8.encode(info),
  });
  const key = await crypto.subtle.deriveKey(hkdf('aes-256-gcm key'), ikm, { name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
  ]);
  const id = Buffer.from(await crypto.subtle.deriveBits(hkdf('key id'), ikm, 48)).toString('base64url');
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8.encode(name), tagLength: 128 },
    key,
    plaintext as Uint8Array<ArrayBuffer>,
  );
  return `v1.${id}.${Buffer.concat([iv, new Uint8Array(ciphertext)]).toString('base64url')}`;
}

describe('CookieSealer: what a decrypted value must hold', () => {
  const time = clock();
  const sealer = new CookieSealer({ secrets: [secretA], now: time.now });
  const raw = (text: string) => sealRaw(secretA, 's', new TextEncoder().encode(text));

  it('opens a value sealed the documented way, with its expiry', async () => {
    const exp = time.now() + 1000;
    assert.deepEqual(await sealer.unseal('s', await raw(JSON.stringify({ exp, v: { a: 1 } }))), {
      ok: true,
      value: { a: 1 },
      expiresAt: exp,
    });
  });

  it('refuses as malformed a plaintext that is not JSON, not an object, or has no numeric exp', async () => {
    for (const text of ['not json', 'null', '42', '"text"', '{"v":1}', `{"exp":"${time.now() + 1000}","v":1}`]) {
      assert.deepEqual(await sealer.unseal('s', await raw(text)), { ok: false, reason: 'malformed' }, text);
    }
  });

  it('refuses as tampered a plaintext that is not UTF-8', async () => {
    assert.deepEqual(await sealer.unseal('s', await sealRaw(secretA, 's', new Uint8Array([0xff, 0xfe]))), {
      ok: false,
      reason: 'tampered',
    });
  });

  it('is expired at its expiry time, not one millisecond later', async () => {
    const sealed = await sealer.seal('s', 1, time.now());
    assert.deepEqual(await sealer.unseal('s', sealed), { ok: false, reason: 'expired' });
    assert.equal((await sealer.unseal('s', await sealer.seal('s', 1, time.now() + 1))).ok, true);
  });

  it('refuses as malformed a body too short to hold an IV, a tag and one byte, and opens the rest', async () => {
    const [version, id] = (await sealer.seal('s', 1, time.now() + 1000)).split('.');
    const body = (length: number) => `${version}.${id}.${Buffer.alloc(length).toString('base64url')}`;
    assert.deepEqual(await sealer.unseal('s', body(28)), { ok: false, reason: 'malformed' });
    assert.deepEqual(await sealer.unseal('s', body(29)), { ok: false, reason: 'tampered' });
  });

  it('refuses a value with another version or number of parts, or an unknown key id', async () => {
    const sealed = await sealer.seal('s', 1, time.now() + 1000);
    const [, id, body] = sealed.split('.');
    assert.deepEqual(await sealer.unseal('s', `v2.${id}.${body}`), { ok: false, reason: 'malformed' });
    assert.deepEqual(await sealer.unseal('s', `${sealed}.x`), { ok: false, reason: 'malformed' });
    assert.deepEqual(await sealer.unseal('s', `v1.AAAAAAAA.${body}`), { ok: false, reason: 'unknown_key' });
  });

  it('predicts the exact length of a sealed value', async () => {
    for (const value of ['', 'a', 'ab', 'abc', { nested: ['x'.repeat(100)] }, 'é'.repeat(7)]) {
      const exp = time.now() + 1000;
      assert.equal(sealer.sealedLength(value, exp), (await sealer.seal('s', value, exp)).length, JSON.stringify(value));
    }
  });

  it('accepts a secret of 32 characters and refuses one of 31', () => {
    assert.ok(new CookieSealer({ secrets: ['x'.repeat(32)] }));
    assert.throws(() => new CookieSealer({ secrets: ['x'.repeat(31)] }), TypeError);
    assert.throws(() => new CookieSealer({ secrets: [secretA, 'x'.repeat(31)] }), TypeError, 'every secret is checked');
    for (const secret of [Array.from({ length: 32 }, () => 'a'), 1e40]) {
      assert.throws(() => new CookieSealer({ secrets: [secret as unknown as string] }), TypeError, String(secret));
    }
  });
});

describe('cookie chunks at their bounds', () => {
  it('writes an empty value as one empty cookie, and a value of exactly one chunk as one cookie', () => {
    assert.deepEqual(splitCookieValue('s', ''), [['s', '']]);
    assert.deepEqual(
      splitCookieValue('s', 'abcd', 4).map(([name]) => name),
      ['s'],
    );
    assert.deepEqual(splitCookieValue('s', 'abcde', 4), [
      ['s', 'abcd'],
      ['s.1', 'e'],
    ]);
  });

  it('lists chunk numbers 1 to 999 only', () => {
    const names = ['s', 's.1', 's.10', 's.999', 's.0', 's.01', 's.1000', 's.-1', 's.1a', 's.'];
    const { present } = joinCookieValue('s', new Map(names.map((name) => [name, 'v'])));
    assert.deepEqual(present, ['s', 's.1', 's.10', 's.999']);
  });
});
