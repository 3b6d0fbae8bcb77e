export { prefersJson } from './accept.ts';
export {
  htmlContentType,
  jsonContentType,
  notAuthenticatedBody,
  type PlainAnswer,
  privateCacheHeaders,
  providerUnavailableAnswer,
  sessionUnavailableAnswer,
} from './answers.ts';
export {
  type AuthenticatedDecision,
  type AuthenticatedOptions,
  type AuthenticatedRequest,
  decideAuthenticated,
  type LogtoUser,
  signInRedirect,
} from './authenticated.ts';
export type { BackChannelLogoutOptions } from './back-channel-logout.ts';
export { CookieSealer, type CookieSealerOptions, type UnsealFailure, type UnsealResult } from './cookie-session.ts';
export { type CookieAttributes, parseCookieHeader, serializeCookie } from './cookies.ts';
export { callbackErrorPage, callbackErrorStatus, escapeHtml, isProviderFailure } from './error-page.ts';
export {
  createLogtoCore,
  type LogtoCore,
  type LogtoCoreConfig,
  type LogtoPaths,
  type RouteAnswer,
  type RouteRequest,
} from './logto-core.ts';
export { safeReturnTo } from './return-to.ts';
export { LogtoRoutes, type LogtoRoutesOptions, type SignInRequest } from './routes.ts';
export { type Logger, type Session, SessionManager, type SessionOptions, type SessionRequest } from './session.ts';
export { sessionStorage } from './session-storage.ts';
export {
  MemoryStore,
  type MemoryStoreOptions,
  type SessionData,
  type SessionStore,
  type StoredSession,
} from './session-store.ts';
export type { PgPoolLike, PgQueryResult } from './stores/postgres-client.ts';
export { PostgresStore, type PostgresStoreOptions } from './stores/postgres-store.ts';
export type { IoRedisLike, NodeRedisLike, RedisClientLike } from './stores/redis-client.ts';
export { RedisRefreshLock, type RedisRefreshLockOptions } from './stores/redis-refresh-lock.ts';
export { RedisStore, type RedisStoreOptions } from './stores/redis-store.ts';
export { isSessionStoreError, SessionStoreError, type SessionStoreErrorCode } from './stores/session-store-error.ts';
