// The framework-free core, re-exported so Fastify apps need only this package.
export * from '@logto-kit/web';
export { authenticated } from './authenticated.ts';
export { createLogto, type Logto, type LogtoFastifyConfig } from './fastify.ts';
export { type RequireAuthOptions, requireAuth } from './require-auth.ts';
