// The framework-free core, re-exported so Express apps need only this package.
export * from '@logto-kit/web';
export { authenticated, userOf } from './authenticated.ts';
export { createLogto, type Logto, type LogtoExpressConfig } from './express.ts';
export { type RequireAuthOptions, type RequireAuthRequirements, requireAuth } from './require-auth.ts';
