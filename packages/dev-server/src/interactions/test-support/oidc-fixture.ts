// A bare oidc-provider with the interaction routes mounted, to test the pages without the full
// dev server: one confidential client, an in-memory account directory, consent left to the routes.
import type { AddressInfo } from 'node:net';
import type { Middleware } from 'koa';
import type { AccountDirectory } from '../../accounts.ts';
import { demoWorld } from '../../demo-world.ts';
import { renderErrorPage } from '../../pages/error.ts';
import { renderLogoutConfirm, renderLogoutSuccess } from '../../pages/logout.ts';
import { createInteractionRoutes, type InteractionRoutesOptions } from '../index.ts';
import type { InteractionProvider } from '../interaction-provider.ts';

interface FixtureProvider extends InteractionProvider {
  use(middleware: Middleware): void;
  listen(port: number, host: string, callback: () => void): import('node:http').Server;
}

type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => FixtureProvider;

/** Accounts kept in memory; `AccountError`-shaped errors for registration problems. */
export class MemoryAccounts implements AccountDirectory {
  readonly accounts = new Map<string, { id: string; username: string; email?: string; password: string }>();

  constructor(seed: Array<{ username: string; email?: string; password: string }> = []) {
    for (const account of seed) this.accounts.set(account.username, { id: `id-${account.username}`, ...account });
  }

  async verifyPassword(identifier: string, password: string): Promise<string | undefined> {
    const match = [...this.accounts.values()].find(
      (account) => account.username === identifier || account.email === identifier,
    );
    return match && match.password === password ? match.id : undefined;
  }

  async register(input: { username: string; email?: string; password: string }): Promise<{ id: string }> {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(input.username)) throw accountError('invalid_username', '');
    if (this.accounts.has(input.username)) throw accountError('username_taken', 'That username is already taken.');
    if (input.password.length < 8) throw accountError('weak_password', 'Use at least 8 characters.');
    const account = { id: `id-${input.username}`, ...input };
    this.accounts.set(input.username, account);
    return { id: account.id };
  }

  async exists(identifier: string): Promise<boolean> {
    return (await this.accountIdOf(identifier)) !== undefined;
  }

  readonly signIns: string[] = [];

  async recordSignIn(accountId: string): Promise<void> {
    this.signIns.push(accountId);
  }

  async accountIdOf(identifier: string): Promise<string | undefined> {
    return [...this.accounts.values()].find(
      (account) => account.username === identifier || account.email === identifier,
    )?.id;
  }
}

function accountError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: 'AccountError', code });
}

export interface Fixture {
  url: string;
  accounts: MemoryAccounts;
  /** Starts an authorization request; extra query parameters override the defaults. */
  authorizationUrl(extra?: Record<string, string>): string;
  redirectUri: string;
  close(): Promise<void>;
}

export const fixtureRedirectUri = 'http://app.test/callback';

/** Starts the fixture on a random port. */
export async function startFixture(options: Partial<InteractionRoutesOptions> = {}): Promise<Fixture> {
  // The issuer is fixed before the port is known: oidc-provider builds its URLs from the request.
  // Loaded by name so this file does not depend on one declaration of oidc-provider's types.
  const { default: Provider } = (await import('oidc-provider' as string)) as { default: ProviderConstructor };
  const accounts = new MemoryAccounts([
    { username: 'demo', email: 'demo@example.com', password: 'demo-password' },
    { username: 'alice', password: 'alice-password' },
  ]);
  const provider = new Provider('http://127.0.0.1', {
    clients: [
      {
        client_id: 'sample-web-app',
        client_secret: 'sample-web-app-secret',
        redirect_uris: [fixtureRedirectUri],
        post_logout_redirect_uris: ['http://app.test/'],
        grant_types: ['authorization_code', 'refresh_token'],
      },
    ],
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
    interactions: { url: async (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    extraParams: ['first_screen', 'interaction_mode'],
    cookies: { keys: ['fixture-cookie-key'] },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        logoutSource: async (ctx: { body: string }, form: string) => {
          ctx.body = renderLogoutConfirm({}, form);
        },
        postLogoutSuccessSource: async (ctx: { body: string }) => {
          ctx.body = renderLogoutSuccess({});
        },
      },
    },
    renderError: async (ctx: { type: string; body: string }, out: { error: string }, error: Error) => {
      ctx.type = 'html';
      ctx.body = renderErrorPage(ctx, out, error);
    },
    pkce: { required: () => false },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AuthorizationCode: 60, AccessToken: 3600, IdToken: 3600 },
  });
  provider.use(createInteractionRoutes({ provider, accounts, config: demoWorld, ...options }));
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const listening = provider.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    accounts,
    redirectUri: fixtureRedirectUri,
    authorizationUrl(extra = {}) {
      const params = new URLSearchParams({
        client_id: 'sample-web-app',
        redirect_uri: fixtureRedirectUri,
        response_type: 'code',
        scope: 'openid',
        state: 'state-1',
        ...extra,
      });
      return `${url}/auth?${params}`;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
