// The framework-free core, re-exported so Hono apps need only this package.
export * from '@logto-kit/web';
export { type AuthenticatedVariables, authenticated } from './authenticated.ts';
export { createLogto, type Logto, type LogtoEnv, type LogtoHonoConfig, type LogtoVariables } from './hono.ts';
export { type AuthVariables, type RequireAuthOptions, requireAuth } from './require-auth.ts';
