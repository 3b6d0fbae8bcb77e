import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CookieJar } from './cookie-jar.ts';
import { type DevServer, rotateKeys, startDevServer } from './server.ts';
import { authorizationRequest, decodeJwt, tokenRequest, webApp } from './test-support/flow.ts';
import { freshSchema, requirePostgres } from './test-support/postgres.ts';
import { registerThroughForms, signInThroughForms } from './testing.ts';

await requirePostgres();

describe('two instances sharing one PostgreSQL database', () => {
  const schema = freshSchema();
  let a: DevServer;
  let b: DevServer;
  before(async () => {
    [a, b] = await Promise.all([
      startDevServer({ port: 0, database: schema.url }),
      startDevServer({ port: 0, database: schema.url }),
    ]);
  });
  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await schema.drop();
  });

  it('publish the same signing keys, even when started together', async () => {
    const [keysA, keysB] = await Promise.all(
      [a, b].map(async (server) => ((await (await fetch(`${server.issuer}/jwks`)).json()) as { keys: unknown[] }).keys),
    );
    assert.equal(keysA?.length, 1);
    assert.deepEqual(keysA, keysB);
  });

  it('share sign-in sessions, codes, refresh tokens and registered users', async () => {
    const account = { username: 'shared_user', password: 'shared-password' };
    const jar = new CookieJar();
    const first = authorizationRequest(a);
    const callback = new URL(await registerThroughForms(first.url, account, { cookieJar: jar }));

    // The code issued by A is exchanged at B.
    const exchanged = await tokenRequest(b, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: webApp.redirectUri,
      code_verifier: first.codeVerifier,
    });
    assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));
    assert.equal(decodeJwt(exchanged.body.id_token).payload.username, 'shared_user');

    // The refresh token works at A, and its rotation is seen by B.
    const refreshed = await tokenRequest(a, {
      grant_type: 'refresh_token',
      refresh_token: String(exchanged.body.refresh_token),
    });
    assert.equal(refreshed.status, 200);
    const next = await tokenRequest(b, {
      grant_type: 'refresh_token',
      refresh_token: String(refreshed.body.refresh_token),
    });
    assert.equal(next.status, 200);

    // The session cookie set through A signs the user in at B without a form (cookies are per
    // host, not per port): a wrong password is never submitted.
    const second = authorizationRequest(b);
    const again = new URL(
      await signInThroughForms(second.url, { ...account, password: 'never-used' }, { cookieJar: jar }),
    );
    assert.ok(again.searchParams.get('code'));
  });
});

describe('rotating keys in PostgreSQL', () => {
  it('adds a key that signs at the next start', async () => {
    const schema = freshSchema();
    try {
      const first = await startDevServer({ port: 0, database: schema.url });
      await first.close();
      const { kid } = await rotateKeys({ database: schema.url });
      const second = await startDevServer({ port: 0, database: schema.url });
      try {
        const { keys } = (await (await fetch(`${second.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
        assert.equal(keys.length, 2);
        assert.equal(keys[0]?.kid, kid);
      } finally {
        await second.close();
      }
    } finally {
      await schema.drop();
    }
  });
});
