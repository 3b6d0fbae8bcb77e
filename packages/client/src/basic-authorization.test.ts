import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters } from '../../../test/fixtures/fuzz-seed.ts';
import { basicAuthorization } from './token-endpoint.ts';

/** How a server decodes client_secret_basic (RFC 6749 §2.3.1): base64, split at the first ':', form-decode. */
function decode(header: string): { clientId: string; clientSecret: string } {
  const decoded = atob(header.slice('Basic '.length));
  const colon = decoded.indexOf(':');
  const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, '%20'));
  return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
}

describe('basicAuthorization', () => {
  it('round-trips any id and secret, including ":" and non-ASCII characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (clientId, clientSecret) => {
        assert.deepEqual(decode(basicAuthorization({ clientId, clientSecret })), { clientId, clientSecret });
      }),
      fuzzParameters(100),
    );
  });
});
