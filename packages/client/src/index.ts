export { getDiscovery, issuerFromEndpoint, type OidcDiscovery, type RemoteCacheOptions } from './discovery.ts';
export { LogtoError, type LogtoErrorCode, type LogtoErrorOptions } from './errors.ts';
export { type Jwk, JwksCache, type JwksCacheOptions } from './jwks-cache.ts';
