export { allowedAlgorithms } from './algorithms.ts';
export type { FirstScreen, SignInOptions } from './authorization-url.ts';
export type { AccessTokenClaims, AddressClaim, IdTokenClaims, OrganizationData, UserInfoResponse } from './claims.ts';
export {
  type AccessTokenOptions,
  LogtoClient,
  type LogtoClientOptions,
  type SignInCallbackResult,
} from './client.ts';
export { type LogtoConfig, Prompt } from './config.ts';
export type { GetContextParameters, LogtoContext } from './context.ts';
export { getDiscovery, issuerFromEndpoint, type OidcDiscovery, type RemoteCacheOptions } from './discovery.ts';
export { LogtoError, type LogtoErrorCode, type LogtoErrorOptions } from './errors.ts';
export { type IdTokenExpectations, verifyIdToken } from './id-token.ts';
export { type Jwk, JwksCache, type JwksCacheOptions } from './jwks-cache.ts';
export { createJwksKeyGetter } from './jwks-key-getter.ts';
export {
  type M2mAccessTokenOptions,
  M2mClient,
  type M2mClientOptions,
  type M2mConfig,
  type M2mTokenRequest,
} from './m2m-client.ts';
export { buildOrganizationUrn, getOrganizationIdFromUrn, organizationUrnPrefix } from './organization-urn.ts';
export { signInLifetimeMs } from './pending-sign-ins.ts';
export type { RandomBytes } from './pkce.ts';
export { InProcessRefreshLock, type RefreshLock, type ReleaseLock } from './refresh-lock.ts';
export { ReservedResource, ReservedScope, UserInfoScope, UserScope } from './scopes.ts';
export { MemoryStorage, type Storage, StorageKey } from './storage.ts';
