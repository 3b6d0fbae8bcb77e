// The two servers the conformance suite compares, behind one shape: where they answer, and the
// ids each gave to the demo world's objects (so answers can be compared with ids made symbolic).
import { type DevServerConfig, demoWorld, startDevServer } from '@logto-kit/dev-server';
import { startRealLogto } from '../real-logto.ts';

/** A server under test. */
export interface ServerUnderTest {
  /** `dev-server` or `logto`. */
  kind: 'dev-server' | 'logto';
  /** `http://localhost:<port>`. */
  endpoint: string;
  /** `<endpoint>/oidc`. */
  issuer: string;
  /** Symbolic name (`user:demo`, `org:acme`…) → the id this server gave the object. */
  ids: Record<string, string>;
  close(): Promise<void>;
}

/** The demo world's applications, the same on both servers. */
export const apps = {
  web: {
    id: 'sample-web-app',
    secret: 'sample-web-app-secret',
    redirectUri: 'http://localhost:3000/callback',
    postLogoutRedirectUri: 'http://localhost:3000/',
  },
  spa: { id: 'sample-spa', redirectUri: 'http://localhost:3000/callback' },
  m2m: { id: 'sample-m2m', secret: 'sample-m2m-secret' },
} as const;

export const shoppingApi = 'https://shopping.your-app.com/api';
export const storeApi = 'https://store.your-app.com/api';
export const organizationsResource = 'urn:logto:resource:organizations';

/**
 * The dev server's world, made to match what the real Logto's seed creates: the demo world with an
 * `admin` user, an organization without members, and a single-page app (a public client).
 */
export const conformanceWorld: DevServerConfig = {
  ...demoWorld,
  applications: [
    ...demoWorld.applications.filter((app) => app.id !== apps.spa.id),
    {
      id: apps.spa.id,
      name: 'Sample SPA',
      type: 'spa',
      redirectUris: [apps.spa.redirectUri],
      postLogoutRedirectUris: ['http://localhost:3000/'],
    },
  ],
  organizations: [
    ...demoWorld.organizations.filter((organization) => organization.id !== 'org-initech'),
    { id: 'org-initech', name: 'Initech', description: null, members: [] },
  ],
  users: [
    ...demoWorld.users
      .filter((user) => user.username === 'demo' || user.username === 'alice')
      .map((user) => ({ ...user, id: `id-${user.username}` })),
    {
      id: 'id-admin',
      username: 'admin',
      password: 'admin-password',
      email: 'admin@example.com',
      emailVerified: true,
      roles: ['admin'],
    },
  ],
};

const organizationNames: Record<string, string> = { acme: 'Acme Inc.', globex: 'Globex', initech: 'Initech' };

/** The dev server on a free port, in memory, serving {@link conformanceWorld}. */
export async function startDevServerUnderTest(): Promise<ServerUnderTest> {
  const server = await startDevServer({ port: 0, memory: true, config: conformanceWorld });
  const ids: Record<string, string> = {};
  for (const user of conformanceWorld.users) ids[`user:${user.username}`] = user.id ?? user.username;
  for (const [symbol, name] of Object.entries(organizationNames)) {
    const organization = conformanceWorld.organizations.find((candidate) => candidate.name === name);
    if (organization) ids[`org:${symbol}`] = organization.id;
  }
  return { kind: 'dev-server', endpoint: server.url, issuer: server.issuer, ids, close: () => server.close() };
}

/** The real Logto, seeded with the demo world; undefined when no build is available (see `real-logto.ts`). */
export async function startLogtoUnderTest(): Promise<ServerUnderTest | undefined> {
  const logto = await startRealLogto();
  if (!logto) return undefined;
  const ids: Record<string, string> = {};
  for (const [username, id] of Object.entries(logto.world.users)) ids[`user:${username}`] = id;
  for (const [symbol, name] of Object.entries(organizationNames)) {
    const id = logto.world.organizations[name];
    if (id) ids[`org:${symbol}`] = id;
  }
  return { kind: 'logto', endpoint: logto.endpoint, issuer: logto.issuer, ids, close: () => logto.close() };
}
