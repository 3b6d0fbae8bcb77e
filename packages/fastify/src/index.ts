import './fastify-request.ts';

// The framework-free core's public names, re-exported so Fastify apps need only this package.
export {
  type LogtoPaths,
  type LogtoUser,
  MemoryStore,
  PostgresStore,
  RedisRefreshLock,
  RedisStore,
  type SessionOptions,
  type SessionStore,
  safeReturnTo,
} from '@logto-kit/web';
export { type AuthenticatedOptions, authenticated, type LogtoPreHandler } from './authenticated.ts';
export { createLogto, type Logto, type LogtoFastifyConfig } from './fastify.ts';
export { type RequireAuthOptions, requireAuth } from './require-auth.ts';
