/**
 * `@logto-kit/dev-server`: a local, Logto-compatible OpenID Connect identity server.
 *
 * @module
 */
export { type AccountDirectory, AccountError, type AccountErrorCode } from './accounts.ts';
export { AppUrlError, withAppUrls } from './app-urls.ts';
export type {
  AddressConfig,
  ApplicationConfig,
  DevServerConfig,
  OrganizationConfig,
  OrganizationMemberConfig,
  OrganizationRoleConfig,
  ResourceConfig,
  RoleConfig,
  UserConfig,
} from './config.ts';
export { ConfigError, loadConfigFile, validateConfig } from './config-validation.ts';
export { demoWorld } from './demo-world.ts';
export type { Lifetimes } from './lifetimes.ts';
export type { InteractionDetails, ProviderHandle } from './provider-handle.ts';
export { type DevServer, type DevServerOptions, rotateKeys, startDevServer } from './server.ts';
