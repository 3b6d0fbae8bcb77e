export { prefersJson } from './accept.ts';
export { type AdapterRequest, type RequestTarget, splitTarget } from './adapter-request.ts';
export {
  callbackErrorAnswer,
  droppedOnFailure,
  htmlContentType,
  jsonContentType,
  notAuthenticatedAnswer,
  notAuthenticatedBody,
  type PlainAnswer,
  privateCacheHeaders,
  providerUnavailableAnswer,
  redirectAnswer,
  sessionUnavailableAnswer,
  varyByCookie,
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
export { describeFetchRequest, markPrivate, privateResponse, toResponse } from './fetch-request.ts';
export {
  type CommitResult,
  createLogtoCore,
  type LogtoAdapter,
  type LogtoCore,
  type LogtoCoreConfig,
  logtoAdapter,
  type OpenResult,
  type RouteAnswer,
} from './logto-core.ts';
export type { LogtoPaths } from './logto-paths.ts';
export { describeNodeRequest, type NodeLikeRequest } from './node-request.ts';
export {
  commitBeforeHeaders,
  markPrivateBeforeHeaders,
  type NodeHeaders,
  type NodeLikeResponse,
} from './node-response.ts';
export type { LogtoRequestContext } from './request-context.ts';
export { safeReturnTo } from './return-to.ts';
export { LogtoRoutes, type LogtoRoutesOptions, type SignInRequest } from './routes.ts';
export type { Session } from './session.ts';
export { type Logger, SessionManager, type SessionOptions, type SessionRequest } from './session-manager.ts';
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
export { whenReady } from './when-ready.ts';
