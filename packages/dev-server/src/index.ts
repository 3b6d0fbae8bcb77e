export { type AccountDirectory, AccountError, type AccountErrorCode } from './accounts.ts';
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
export { demoWorld } from './demo-world.ts';
export type { Lifetimes } from './provider.ts';
export { type DevServer, type DevServerOptions, rotateKeys, startDevServer } from './server.ts';
