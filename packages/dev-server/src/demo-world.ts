import type { DevServerConfig } from './config.ts';

/**
 * The demo world: the default configuration of the dev server. Its credentials are published
 * development credentials, used by the examples, the docs and the tests. Never use them elsewhere.
 */
export const demoWorld: DevServerConfig = {
  applications: [
    {
      id: 'sample-web-app',
      name: 'Sample web app',
      type: 'traditional',
      secret: 'sample-web-app-secret',
      redirectUris: ['http://localhost:3000/callback'],
      postLogoutRedirectUris: ['http://localhost:3000/'],
    },
    {
      id: 'sample-m2m',
      name: 'Sample machine-to-machine app',
      type: 'machine_to_machine',
      secret: 'sample-m2m-secret',
      roles: ['service'],
    },
  ],
  resources: [
    {
      indicator: 'https://shopping.your-app.com/api',
      name: 'Shopping API',
      scopes: ['shopping:read', 'shopping:write'],
    },
    { indicator: 'https://store.your-app.com/api', name: 'Store API', scopes: ['store:read', 'store:write'] },
  ],
  roles: [
    {
      name: 'shopper',
      type: 'user',
      scopes: {
        'https://shopping.your-app.com/api': ['shopping:read'],
        'https://store.your-app.com/api': ['store:read'],
      },
    },
    {
      name: 'admin',
      type: 'user',
      scopes: {
        'https://shopping.your-app.com/api': ['shopping:read', 'shopping:write'],
        'https://store.your-app.com/api': ['store:read', 'store:write'],
      },
    },
    { name: 'service', type: 'machine_to_machine', scopes: { 'https://shopping.your-app.com/api': ['shopping:read'] } },
  ],
  organizationRoles: [
    { name: 'member', scopes: ['read:projects'] },
    { name: 'admin', scopes: ['read:projects', 'write:projects', 'invite:members'] },
  ],
  organizations: [
    { id: 'org-acme', name: 'Acme Inc.', description: null, members: [{ username: 'demo', roles: ['admin'] }] },
    {
      id: 'org-globex',
      name: 'Globex',
      description: null,
      members: [
        { username: 'demo', roles: ['member'] },
        { username: 'alice', roles: ['member'] },
      ],
    },
  ],
  users: [
    {
      username: 'demo',
      password: 'demo-password',
      name: 'Demo User',
      email: 'demo@example.com',
      emailVerified: true,
      phone: '15555550100',
      phoneVerified: true,
      customData: { plan: 'pro' },
      roles: ['shopper'],
    },
    {
      username: 'alice',
      password: 'alice-password',
      email: 'alice@example.com',
      emailVerified: true,
      roles: [],
    },
    {
      username: 'admin',
      password: 'admin-password',
      email: 'admin@example.com',
      emailVerified: true,
      // Every API scope of the demo world, so that `shopping:write` (`POST /api/products`) can be shown.
      roles: ['admin'],
    },
  ],
};
