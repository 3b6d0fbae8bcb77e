// The framework-free core's public names, re-exported so Next.js apps need only this package.
export { LogtoError, UserScope } from '@logto-kit/client';
export {
  type AuthenticatedOptions,
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
export {
  type AuthenticatedContext,
  createLogto,
  type LogtoNext,
  type LogtoNextConfig,
  type LogtoSessionState,
  type ProxyOptions,
  type RouteHandler,
  type SignInActionOptions,
} from './next.ts';
export type { RoutePattern } from './route-patterns.ts';
