// The conformance cases: each sends the same requests to a server and returns what it answered,
// keyed by step. The suite runs every case on both servers and compares the answers field by field.
import { type HttpObservation, observe } from './browser.ts';
import {
  alice,
  authorizationUrl,
  basic,
  codeVerifier,
  demo,
  experienceSignIn,
  followToApp,
  refresh,
  signIn,
  signInForTokens,
  startAuthorization,
  tokenRequest,
  userinfo,
} from './flows.ts';
import { apps, organizationsResource, type ServerUnderTest, shoppingApi, storeApi } from './servers.ts';

/** One conformance case. */
export interface ConformanceCase {
  name: string;
  run(server: ServerUnderTest): Promise<Record<string, unknown>>;
}

const organizationsScope = 'urn:logto:scope:organizations';
const organizationRolesScope = 'urn:logto:scope:organization_roles';

/** The ID token, the userinfo body and the code exchange for one set of scopes. */
function claimsForScopes(name: string, scopes: string[]): ConformanceCase {
  return {
    name,
    async run(server) {
      const { observation, tokens } = await signInForTokens(server, demo, { scopes, exactScopes: true });
      return { exchange: observation, userinfo: await userinfo(server, String(tokens.access_token)) };
    },
  };
}

const get = async (server: ServerUnderTest, path: string, init: RequestInit = {}) =>
  observe(await fetch(`${server.issuer}${path}`, { redirect: 'manual', ...init }));

export const cases: ConformanceCase[] = [
  {
    name: 'discovery',
    async run(server) {
      return { response: await get(server, '/.well-known/openid-configuration') };
    },
  },
  {
    name: 'jwks',
    async run(server) {
      return { response: await get(server, '/jwks') };
    },
  },

  // --- ID tokens and userinfo per scope ---
  claimsForScopes('claims: openid', ['openid']),
  claimsForScopes('claims: profile', ['openid', 'profile']),
  claimsForScopes('claims: email', ['openid', 'email']),
  claimsForScopes('claims: phone', ['openid', 'phone']),
  claimsForScopes('claims: address', ['openid', 'address']),
  claimsForScopes('claims: custom_data and identities', ['openid', 'custom_data', 'identities']),
  claimsForScopes('claims: roles', ['openid', 'roles']),
  claimsForScopes('claims: organizations', ['openid', organizationsScope]),
  claimsForScopes('claims: organization roles', ['openid', organizationRolesScope]),
  claimsForScopes('claims: every scope with a refresh token', [
    'openid',
    'offline_access',
    'profile',
    'email',
    'phone',
    'custom_data',
    'identities',
    'roles',
    organizationsScope,
    organizationRolesScope,
  ]),
  {
    name: 'claims: updated_at after a second sign-in',
    async run(server) {
      const first = await signInForTokens(server, alice, { scopes: ['openid', 'profile'], exactScopes: true });
      const second = await signInForTokens(server, alice, { scopes: ['openid', 'profile'], exactScopes: true });
      const claims = (tokens: Record<string, unknown>) =>
        JSON.parse(Buffer.from(String(tokens.id_token).split('.')[1] ?? '', 'base64url').toString()) as {
          updated_at: number;
          created_at: number;
        };
      const [a, b] = [claims(first.tokens), claims(second.tokens)];
      return { updatedAtMoved: b.updated_at > a.updated_at, createdAtKept: a.created_at === b.created_at };
    },
  },

  // --- Experience API ---
  {
    name: 'experience: sign-in steps',
    async run(server) {
      const { steps, redirectTo } = await experienceSignIn(server, demo);
      return { ...steps, redirectTo };
    },
  },
  {
    name: 'experience: wrong password',
    async run(server) {
      return { steps: (await experienceSignIn(server, { username: 'demo', password: 'not-the-password' })).steps };
    },
  },
  {
    name: 'experience: unknown user',
    async run(server) {
      return { steps: (await experienceSignIn(server, { username: 'nobody', password: 'demo-password' })).steps };
    },
  },
  {
    name: 'experience: registration',
    async run(server) {
      const { browser, authorization } = await startAuthorization(server, { extra: { first_screen: 'register' } });
      const steps: Record<string, HttpObservation> = { authorization };
      const step = async (name: string, path: string, method: string, body: unknown) => {
        steps[name] = await observe(await browser.json(path, method, body));
      };
      await step('start', '/api/experience', 'PUT', { interactionEvent: 'Register' });
      await step('takenUsername', '/api/experience/profile', 'POST', { type: 'username', value: 'demo' });
      await step('username', '/api/experience/profile', 'POST', { type: 'username', value: 'conformance_new' });
      await step('identifyEarly', '/api/experience/identification', 'POST', {});
      await step('shortPassword', '/api/experience/profile', 'POST', { type: 'password', value: 'k9w' });
      await step('password', '/api/experience/profile', 'POST', { type: 'password', value: 'long-enough-Passw0rd' });
      await step('identify', '/api/experience/identification', 'POST', {});
      await step('submit', '/api/experience/submit', 'POST', {});
      const redirectTo = (steps.submit?.body as { redirectTo?: string } | undefined)?.redirectTo;
      if (!redirectTo) return steps;
      const callback = await followToApp(server, browser, redirectTo);
      const exchange = await tokenRequest(server, {
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: apps.web.redirectUri,
        code_verifier: codeVerifier,
      });
      const registered = String(exchange.body.id_token ?? '').split('.')[1];
      if (registered) {
        const { sub } = JSON.parse(Buffer.from(registered, 'base64url').toString()) as { sub: string };
        server.ids['user:conformance_new'] = sub;
      }
      return { ...steps, exchange: exchange.observation };
    },
  },
  {
    name: 'experience: no interaction',
    async run(server) {
      return {
        start: await observe(
          await fetch(`${server.endpoint}/api/experience`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ interactionEvent: 'SignIn' }),
          }),
        ),
      };
    },
  },

  // --- the authorization endpoint ---
  {
    name: 'authorization: the sign-in redirect',
    async run(server) {
      const browser = (await experienceSignIn(server, demo)).browser;
      return {
        signIn: await observe(await browser.fetch(authorizationUrl(server))),
        register: await observe(await browser.fetch(authorizationUrl(server, { extra: { first_screen: 'register' } }))),
      };
    },
  },
  {
    name: 'authorization: errors',
    async run(server) {
      const redirect = (options: Parameters<typeof authorizationUrl>[1]) =>
        get(server, authorizationUrl(server, options).slice(server.issuer.length));
      return {
        badRedirectUri: await redirect({ redirectUri: 'https://evil.example/callback' }),
        unknownClient: await redirect({ clientId: 'no-such-app' }),
        unknownResource: await redirect({ resources: ['https://unknown.example/api'] }),
        noPkceForSecretBasic: await redirect({ noPkce: true }),
        noPkceForPublicClient: await redirect({
          noPkce: true,
          clientId: apps.spa.id,
          redirectUri: apps.spa.redirectUri,
        }),
        unsupportedResponseType: await get(
          server,
          authorizationUrl(server).slice(server.issuer.length).replace('response_type=code', 'response_type=token'),
        ),
      };
    },
  },

  // --- the code exchange ---
  {
    name: 'code: reused and wrong',
    async run(server) {
      const { code } = await signIn(server);
      const exchange = (value: string, extra: Record<string, string> = {}) =>
        tokenRequest(server, {
          grant_type: 'authorization_code',
          code: value,
          redirect_uri: apps.web.redirectUri,
          code_verifier: codeVerifier,
          ...extra,
        });
      const first = await exchange(code);
      return {
        first: first.observation,
        reused: (await exchange(code)).observation,
        unknown: (await exchange('not-a-code')).observation,
      };
    },
  },
  {
    name: 'code: wrong verifier and redirect_uri',
    async run(server) {
      const wrongVerifier = await signIn(server);
      const wrongRedirect = await signIn(server);
      const exchange = (code: string, extra: Record<string, string>) =>
        tokenRequest(server, {
          grant_type: 'authorization_code',
          code,
          redirect_uri: apps.web.redirectUri,
          code_verifier: codeVerifier,
          ...extra,
        });
      return {
        wrongVerifier: (await exchange(wrongVerifier.code, { code_verifier: `${codeVerifier}x` })).observation,
        wrongRedirect: (await exchange(wrongRedirect.code, { redirect_uri: 'http://localhost:3000/other' }))
          .observation,
      };
    },
  },

  // --- client authentication ---
  {
    name: 'client authentication',
    async run(server) {
      const grant = { grant_type: 'client_credentials', resource: shoppingApi, scope: 'shopping:read' };
      return {
        badSecret: (await tokenRequest(server, grant, { id: apps.m2m.id, secret: 'wrong-secret' })).observation,
        unknownClient: (await tokenRequest(server, grant, { id: 'no-such-app', secret: 'x' })).observation,
        secretPost: await observe(
          await fetch(`${server.issuer}/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ ...grant, client_id: apps.m2m.id, client_secret: apps.m2m.secret }),
          }),
        ),
        jsonBody: await observe(
          await fetch(`${server.issuer}/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: basic(apps.m2m) },
            body: JSON.stringify(grant),
          }),
        ),
        noCredentials: await observe(
          await fetch(`${server.issuer}/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(grant),
          }),
        ),
      };
    },
  },

  // --- machine-to-machine ---
  {
    name: 'client_credentials',
    async run(server) {
      const m2m = (params: Record<string, string>) =>
        tokenRequest(server, { grant_type: 'client_credentials', ...params }, apps.m2m).then((r) => r.observation);
      return {
        withScope: await m2m({ resource: shoppingApi, scope: 'shopping:read' }),
        withUngrantedScope: await m2m({ resource: shoppingApi, scope: 'shopping:read shopping:write' }),
        withoutScope: await m2m({ resource: shoppingApi }),
        emptyScope: await m2m({ resource: shoppingApi, scope: '' }),
        otherResource: await m2m({ resource: storeApi, scope: 'store:read' }),
        withoutResource: await m2m({ scope: 'shopping:read' }),
        nothing: await m2m({}),
        unknownResource: await m2m({ resource: 'https://unknown.example/api' }),
        organizationsResource: await m2m({
          resource: organizationsResource,
          scope: 'read:projects write:projects invite:members',
        }),
        organizationId: await m2m({ organization_id: server.ids['org:acme'] ?? '', scope: 'read:projects' }),
        byWebApp: (
          await tokenRequest(server, {
            grant_type: 'client_credentials',
            resource: shoppingApi,
            scope: 'shopping:read',
          })
        ).observation,
      };
    },
  },

  // --- resource tokens ---
  {
    name: 'resource tokens',
    async run(server) {
      const { tokens } = await signInForTokens(server, demo, {
        scopes: ['shopping:read', 'shopping:write', 'store:write'],
        resources: [shoppingApi, storeApi],
      });
      const { tokens: noScopes } = await signInForTokens(server, demo, { resources: [shoppingApi] });
      return {
        shopping: (await refresh(server, tokens.refresh_token, { resource: shoppingApi })).observation,
        store: (await refresh(server, tokens.refresh_token, { resource: storeApi })).observation,
        narrowed: (await refresh(server, tokens.refresh_token, { resource: shoppingApi, scope: 'shopping:read' }))
          .observation,
        scopeNotGranted: (
          await refresh(server, tokens.refresh_token, { resource: shoppingApi, scope: 'shopping:delete' })
        ).observation,
        noScopesRequested: (await refresh(server, noScopes.refresh_token, { resource: shoppingApi })).observation,
        unrequestedResource: (await refresh(server, noScopes.refresh_token, { resource: storeApi })).observation,
        unknownResource: (await refresh(server, tokens.refresh_token, { resource: 'https://unknown.example/api' }))
          .observation,
        commaSeparated: (await refresh(server, tokens.refresh_token, { resource: `${shoppingApi},${storeApi}` }))
          .observation,
        userinfoWithResourceToken: await userinfo(
          server,
          String((await refresh(server, tokens.refresh_token, { resource: shoppingApi })).body.access_token),
        ),
      };
    },
  },

  // --- organization tokens ---
  {
    name: 'organization tokens',
    async run(server) {
      const acme = server.ids['org:acme'] ?? '';
      const globex = server.ids['org:globex'] ?? '';
      const initech = server.ids['org:initech'] ?? '';
      const { tokens } = await signInForTokens(server, demo, {
        scopes: [organizationsScope, 'read:projects', 'invite:members', 'shopping:read'],
        resources: [organizationsResource, shoppingApi],
      });
      const { tokens: noOrgScopes } = await signInForTokens(server, demo, {
        scopes: [organizationsScope],
        resources: [organizationsResource],
      });
      const { tokens: noOrgResource } = await signInForTokens(server, demo, {
        scopes: [organizationsScope, 'read:projects'],
      });
      const { tokens: noOrgScope } = await signInForTokens(server, demo, { scopes: ['read:projects'] });
      const org = (token: unknown, extra: Record<string, string>) =>
        refresh(server, token, extra).then((r) => r.observation);
      return {
        acme: await org(tokens.refresh_token, { organization_id: acme }),
        globex: await org(tokens.refresh_token, { organization_id: globex }),
        narrowed: await org(tokens.refresh_token, { organization_id: acme, scope: 'read:projects' }),
        notRequestedAtSignIn: await org(noOrgScopes.refresh_token, { organization_id: acme }),
        withoutOrganizationsResource: await org(noOrgResource.refresh_token, { organization_id: acme }),
        withResource: await org(tokens.refresh_token, { organization_id: acme, resource: shoppingApi }),
        nonMember: await org(tokens.refresh_token, { organization_id: initech }),
        unknownOrganization: await org(tokens.refresh_token, { organization_id: 'no-such-organization' }),
        withoutOrganizationsScope: await org(noOrgScope.refresh_token, { organization_id: acme }),
      };
    },
  },

  // --- refresh tokens ---
  {
    name: 'refresh: confidential app',
    async run(server) {
      const { tokens } = await signInForTokens(server, demo);
      const first = await refresh(server, tokens.refresh_token);
      const second = await refresh(server, tokens.refresh_token);
      return {
        first: first.observation,
        sameTokenBack: first.body.refresh_token === tokens.refresh_token,
        reused: second.observation,
        bad: (await refresh(server, 'not-a-refresh-token')).observation,
        otherClient: (await refresh(server, tokens.refresh_token, {}, { id: apps.spa.id })).observation,
      };
    },
  },
  {
    name: 'refresh: public app',
    async run(server) {
      const { tokens } = await signInForTokens(
        server,
        demo,
        { clientId: apps.spa.id, redirectUri: apps.spa.redirectUri },
        { id: apps.spa.id },
      );
      const first = await refresh(server, tokens.refresh_token, {}, { id: apps.spa.id });
      const reusedWithinWindow = await refresh(server, tokens.refresh_token, {}, { id: apps.spa.id });
      return {
        exchange: tokens,
        first: first.observation,
        rotated: first.body.refresh_token !== tokens.refresh_token,
        reusedWithinWindow: reusedWithinWindow.observation,
      };
    },
  },
  {
    name: 'revocation',
    async run(server) {
      const { tokens } = await signInForTokens(server, demo);
      const revoke = (token: unknown, client = apps.web as { id: string; secret?: string }) =>
        fetch(`${server.issuer}/token/revocation`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) },
          body: new URLSearchParams({ token: String(token), token_type_hint: 'refresh_token' }),
        }).then(observe);
      return {
        revoke: await revoke(tokens.refresh_token),
        refreshAfter: (await refresh(server, tokens.refresh_token)).observation,
        unknownToken: await revoke('not-a-token'),
        badClient: await revoke(tokens.access_token, { id: apps.web.id, secret: 'wrong' }),
        userinfoAfter: await userinfo(server, String(tokens.access_token)),
      };
    },
  },
  {
    name: 'introspection',
    async run(server) {
      const { tokens } = await signInForTokens(server, demo, { scopes: ['shopping:read'], resources: [shoppingApi] });
      const resourceToken = (await refresh(server, tokens.refresh_token, { resource: shoppingApi })).body.access_token;
      const introspect = (token: unknown) =>
        fetch(`${server.issuer}/token/introspection`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(apps.web) },
          body: new URLSearchParams({ token: String(token) }),
        }).then(observe);
      return {
        opaque: await introspect(tokens.access_token),
        resource: await introspect(resourceToken),
        unknown: await introspect('not-a-token'),
      };
    },
  },

  // --- userinfo ---
  {
    name: 'userinfo errors',
    async run(server) {
      return {
        noToken: await userinfo(server),
        badToken: await userinfo(server, 'not-a-token'),
        post: await get(server, '/me', { method: 'POST' }),
      };
    },
  },

  // --- end session ---
  {
    name: 'end session',
    async run(server) {
      const { browser, tokens } = await signInForTokens(server, demo);
      const query = new URLSearchParams({
        client_id: apps.web.id,
        post_logout_redirect_uri: apps.web.postLogoutRedirectUri,
        id_token_hint: String(tokens.id_token),
        state: 'conformance-logout',
      });
      const page = await browser.fetch(`${server.issuer}/session/end?${query}`);
      const html = await page.clone().text();
      const confirmation = await observe(page);
      const action = /<form\b[^>]*action="([^"]*)"/i.exec(html)?.[1]?.replaceAll('&amp;', '&');
      const fields = new URLSearchParams();
      for (const input of html.matchAll(/<input\b[^>]*>/gi)) {
        const name = /name="([^"]*)"/.exec(input[0])?.[1];
        const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
        if (name) fields.set(name, value);
      }
      const confirm = action
        ? await observe(
            await browser.fetch(new URL(action, `${server.issuer}/`).href, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: fields,
            }),
          )
        : undefined;
      return {
        confirmation,
        confirm,
        badPostLogoutUri: await get(
          server,
          `/session/end?${new URLSearchParams({ client_id: apps.web.id, post_logout_redirect_uri: 'https://evil.example/' })}`,
        ),
      };
    },
  },
];
