// The framework-free core's public names, re-exported so Hono apps need only this package.
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
export { type AuthenticatedOptions, authenticated } from './authenticated.ts';
export { createLogto, type Logto, type LogtoHonoConfig } from './hono.ts';
export { type RequireAuthOptions, requireAuth } from './require-auth.ts';
export type { AuthenticatedVariables, AuthVariables, LogtoEnv, LogtoVariables } from './variables.ts';
