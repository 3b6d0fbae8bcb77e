export { type AccessTokenAlgorithm, accessTokenAlgorithms } from './algorithms.ts';
export type { AccessTokenClaims, AuthResult } from './auth-result.ts';
export { organizationAudience } from './auth-result.ts';
export {
  type AuthenticateRequestOptions,
  authErrorResponse,
  authenticateRequest,
} from './authenticate-request.ts';
export { extractBearerToken } from './bearer.ts';
export { MAX_TOKEN_LENGTH } from './compact-jws.ts';
export { ApiAuthError, type ApiAuthErrorCode, type ApiAuthErrorOptions, isApiAuthError } from './errors.ts';
export {
  type AuthErrorAnswer,
  authErrorAnswer,
  authorizationOfNodeRequest,
  createEagerRequestGuard,
  createRequestGuard,
  type EagerRequestGuard,
  type GuardOptions,
  type GuardRequirements,
  type RequestGuard,
  runRequestGuard,
} from './request-guard.ts';
export type { AccessRequirements } from './requirements.ts';
export type { VerifierChoice } from './verifier-choice.ts';
export {
  type AccessTokenIssuer,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  createAccessTokenVerifier,
  defaultVerifiedTokenCacheSize,
} from './verify-access-token.ts';
