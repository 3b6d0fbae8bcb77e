/**
 * OpenID Connect Back-Channel Logout across instances: web-app instances (separate processes)
 * share the revocation list in the machine's Redis; two keep sessions in Redis, one in cookies.
 * When the user signs out at the dev server, it posts a logout token to one instance, and the
 * user's sessions end at every instance by their next request. Replayed and forged tokens are refused.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type DevServer, startDevServer } from '@logto-kit/dev-server';
import { CookieJar, confirmSignOut, demoWorldFor, signInThroughForms } from '@logto-kit/dev-server/testing';
import { Redis } from 'ioredis';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { AppCookies, type AppInstance, get, startInstance } from './support.ts';

const publicUrl = 'http://app.back-channel.test';
const secret = 'back-channel-test-session-secret-0123456789';
const redisPrefix = `logto-kit-test:${randomBytes(6).toString('hex')}:`;

let devServer: DevServer;
let forwarder: Server;
let redisA: AppInstance;
let redisB: AppInstance;
let cookieC: AppInstance;
/** What the dev server's logout requests were answered, and their bodies. */
const delivered: Array<{ status: number; body: string }> = [];

before(async () => {
  // The provider posts to one public back-channel URL; this plays the load balancer in front of instance A.
  forwarder = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const answer = await fetch(`${redisA.url}${req.url}`, {
      method: 'POST',
      headers: { 'content-type': req.headers['content-type'] ?? '' },
      body,
    });
    delivered.push({ status: answer.status, body });
    res.writeHead(answer.status).end(await answer.text());
  });
  forwarder.listen(0, '127.0.0.1');
  await once(forwarder, 'listening');
  const backchannelLogoutUri = `http://127.0.0.1:${(forwarder.address() as AddressInfo).port}/backchannel-logout`;
  const world = demoWorldFor(publicUrl);
  devServer = await startDevServer({
    port: 0,
    memory: true,
    config: {
      ...world,
      applications: world.applications.map((application) =>
        application.id === 'sample-web-app' ? { ...application, backchannelLogoutUri } : application,
      ),
    },
  });
  const common = { endpoint: devServer.url, baseUrl: publicUrl, secret, backChannelLogout: true };
  [redisA, redisB, cookieC] = await Promise.all([
    startInstance({ ...common, redisPort: 6379, redisPrefix }),
    startInstance({ ...common, redisPort: 6379, redisPrefix }),
    startInstance({ ...common, redisPort: 6379, redisPrefix, cookieSessions: true }),
  ]);
});

after(async () => {
  await Promise.all([redisA?.stop(), redisB?.stop(), cookieC?.stop()]);
  forwarder?.closeAllConnections();
  await new Promise((resolve) => forwarder?.close(resolve));
  await devServer?.close();
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  const keys = await redis.keys(`${redisPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

/** Signs in at `instance` with the provider session in `providerJar`. */
async function signIn(instance: AppInstance, providerJar: CookieJar, username = 'demo'): Promise<AppCookies> {
  const cookies = new AppCookies();
  const started = await get(`${instance.url}/sign-in`, cookies);
  const callbackUrl = await signInThroughForms(
    started.location!,
    { username, password: `${username}-password` },
    { cookieJar: providerJar },
  );
  const callback = new URL(callbackUrl);
  const finished = await get(`${instance.url}${callback.pathname}${callback.search}`, cookies);
  assert.equal(finished.status, 302, finished.body);
  return cookies;
}

const status = async (instance: AppInstance, cookies: AppCookies) =>
  (await get(`${instance.url}/whoami`, cookies, { accept: 'application/json' })).status;

describe('back-channel logout across instances', () => {
  it('ends the user’s sessions on every instance (Redis and cookie sessions) within one request after sign-out at the provider', async () => {
    const providerJar = new CookieJar();
    const laptop = await signIn(redisA, providerJar);
    const phone = await signIn(cookieC, new CookieJar());
    const alice = await signIn(redisB, new CookieJar(), 'alice');
    assert.deepEqual(
      await Promise.all([status(redisA, laptop), status(redisB, laptop), status(cookieC, phone)]),
      [200, 200, 200],
    );
    const copiedPhoneCookie = phone.header();

    // The user signs out at the provider (e.g. from another application of the same provider session).
    const endSession = new URL(`${devServer.url}/oidc/session/end`);
    endSession.searchParams.set('client_id', 'sample-web-app');
    endSession.searchParams.set('post_logout_redirect_uri', `${publicUrl}/`);
    delivered.length = 0;
    await confirmSignOut(endSession.href, providerJar);
    assert.equal(delivered.length, 1, 'the provider posted one logout token');
    assert.equal(delivered[0]!.status, 200);

    assert.equal(await status(redisB, laptop), 401, 'ended at another Redis instance');
    assert.equal(await status(redisA, laptop), 401, 'ended at the receiving instance');
    assert.equal(await status(cookieC, phone), 401, 'a cookie session ends too');
    const copy = await fetch(`${cookieC.url}/whoami`, { headers: { cookie: copiedPhoneCookie } });
    assert.equal(copy.status, 401, 'a copy of the cookie is worthless');
    assert.equal(await status(redisB, alice), 200, 'another user stays signed in');

    // Signing in again afterwards works.
    const again = await signIn(cookieC, new CookieJar());
    assert.equal(await status(cookieC, again), 200);
  });

  it('refuses a replayed logout token', async () => {
    assert.ok(delivered[0], 'the previous test captured a logout token');
    const replay = await fetch(`${redisB.url}/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: delivered[0].body,
    });
    assert.equal(replay.status, 400);
    assert.deepEqual((await replay.json()).error, 'invalid_request');
  });

  it('refuses a forged logout token (signed by another key) and keeps the user signed in', async () => {
    const cookies = await signIn(redisA, new CookieJar());
    const sub = JSON.parse((await get(`${redisA.url}/whoami`, cookies, { accept: 'application/json' })).body).sub;
    const { privateKey, publicKey } = await generateKeyPair('ES384');
    const jwks = (await (await fetch(`${devServer.url}/oidc/jwks`)).json()) as { keys: Array<{ kid: string }> };
    const forged = await new SignJWT({
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      jti: randomBytes(8).toString('hex'),
      sub,
    })
      .setProtectedHeader({ alg: 'ES384', typ: 'logout+jwt', kid: jwks.keys[0]!.kid, jwk: await exportJWK(publicKey) })
      .setIssuer(`${devServer.url}/oidc`)
      .setAudience('sample-web-app')
      .setIssuedAt()
      .sign(privateKey);
    const refused = await fetch(`${redisA.url}/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: forged }).toString(),
    });
    assert.equal(refused.status, 400);
    assert.equal(await status(redisB, cookies), 200, 'still signed in');
  });
});
