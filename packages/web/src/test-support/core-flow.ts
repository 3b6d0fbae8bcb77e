// Drives createLogtoCore as an adapter does (open, route, commit) for one browser's requests,
// against the client package's in-memory provider.
import assert from 'node:assert/strict';
import { createFakeProvider, type FakeProvider } from '../../../client/src/test-support/fake-provider.ts';
import { splitTarget } from '../adapter-request.ts';
import { parseCookieHeader } from '../cookies.ts';
import { createLogtoCore, type LogtoCore, type LogtoCoreConfig, type RouteAnswer } from '../logto-core.ts';
import type { LogtoRequestContext } from '../request-context.ts';
import type { Logger, SessionOptions } from '../session-manager.ts';
import type { SessionStore } from '../session-store.ts';

/**
 * An application of `provider` at https://app.example, its client on the provider's `fetch` and
 * clock; `session` and `extra` add to (or replace) that configuration.
 */
export function coreOf(
  provider: FakeProvider,
  session: Partial<SessionOptions> = {},
  extra: Partial<LogtoCoreConfig> = {},
): LogtoCore {
  return createLogtoCore({
    endpoint: provider.endpoint,
    appId: provider.appId,
    appSecret: provider.appSecret,
    baseUrl: 'https://app.example',
    session: { secrets: ['core-flow-test-secret-0123456789abcdefgh'], ...session },
    clientOptions: { fetch: provider.fetch, now: provider.now },
    ...extra,
  });
}

/** An application over a fresh in-memory provider. */
export async function world(
  store?: SessionStore,
  logger?: Logger,
): Promise<{ provider: FakeProvider; core: LogtoCore }> {
  const provider = await createFakeProvider();
  return { provider, core: coreOf(provider, { ...(store ? { store } : {}), ...(logger ? { logger } : {}) }) };
}

/** The cookies a browser sends after receiving `setCookie` (cleared ones dropped). */
export function cookiesAfter(previous: ReadonlyMap<string, string>, setCookie: readonly string[]): Map<string, string> {
  const cookies = new Map(previous);
  for (const header of setCookie) {
    const [name, value] = [...parseCookieHeader(header.split(';')[0])][0] ?? [];
    if (name === undefined) continue;
    if (value === '' || /max-age=0/i.test(header)) cookies.delete(name);
    else cookies.set(name, value ?? '');
  }
  return cookies;
}

export function cookieHeader(cookies: ReadonlyMap<string, string>): string | undefined {
  return cookies.size === 0 ? undefined : [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** Opens a request of a browser holding `cookies`. */
export async function open(
  core: LogtoCore,
  target: string,
  cookies: ReadonlyMap<string, string> = new Map(),
  method = 'GET',
): Promise<LogtoRequestContext> {
  const opened = await core.open({
    method,
    ...splitTarget(target),
    cookies: cookieHeader(cookies),
    secure: true,
    header: () => undefined,
  });
  assert.equal(opened.kind, 'opened');
  return opened.kind === 'opened' ? opened.context : assert.fail();
}

/** The Set-Cookie headers of committing `context` (none when there is nothing to commit). */
export async function commit(core: LogtoCore, context: LogtoRequestContext): Promise<string[]> {
  const result = await core.commit(context);
  assert.notEqual(result?.kind, 'unavailable');
  return result?.kind === 'cookies' ? result.setCookie : [];
}

/** One request through the routes: its answer, its Set-Cookie headers and the browser's cookies afterwards. */
export async function send(
  core: LogtoCore,
  target: string,
  cookies: ReadonlyMap<string, string> = new Map(),
): Promise<{ answer: RouteAnswer | undefined; setCookie: string[]; cookies: Map<string, string> }> {
  const context = await open(core, target, cookies);
  const answer = await core.route(context);
  const setCookie = await commit(core, context);
  return { answer, setCookie, cookies: cookiesAfter(cookies, setCookie) };
}

/** Where an answer redirects to. */
export function location(answer: RouteAnswer | undefined): string | undefined {
  return answer?.kind === 'answer' ? answer.answer.headers.Location : undefined;
}

/** GET /sign-in: the browser's cookies afterwards, and the callback target the provider would send it to. */
export async function startSignIn(
  { core, provider }: { core: LogtoCore; provider: FakeProvider },
  cookies: ReadonlyMap<string, string> = new Map(),
  returnTo = '/orders',
): Promise<{ cookies: Map<string, string>; callback: string; state: string; nonce: string | undefined }> {
  const { answer, cookies: after } = await send(core, `/sign-in?returnTo=${encodeURIComponent(returnTo)}`, cookies);
  const url = new URL(location(answer) ?? assert.fail('no redirect'));
  provider.nonce = url.searchParams.get('nonce') ?? undefined;
  const state = url.searchParams.get('state') ?? '';
  return { cookies: after, callback: `/callback?code=code-1&state=${state}`, state, nonce: provider.nonce };
}
