import { readFile } from 'node:fs/promises';
import {
  type AddressConfig,
  type ApplicationConfig,
  type DevServerConfig,
  type OrganizationConfig,
  type OrganizationMemberConfig,
  type OrganizationRoleConfig,
  profileClaimNames,
  type ResourceConfig,
  type RoleConfig,
  type UserConfig,
} from './config.ts';
import { userFieldLimits } from './user-field-limits.ts';

/**
 * A configuration that cannot be served. `path` is the JSON path of the bad field
 * (`applications[0].redirectUris[1]`), and the message starts with it.
 */
export class ConfigError extends Error {
  /** The JSON path of the bad field; empty for the document itself. */
  readonly path: string;
  /** What is wrong with it, without the path. */
  readonly problem: string;
  /** The configuration file, when the configuration was read from one. */
  readonly file: string | undefined;

  constructor(path: string, problem: string, file?: string) {
    const located = path ? `${path}: ${problem}` : problem;
    super(file ? `${file}: ${located}` : located);
    this.name = 'ConfigError';
    this.path = path;
    this.problem = problem;
    this.file = file;
  }
}

/** The resource indicator Logto reserves for organization tokens. */
const reservedIndicator = 'urn:logto:resource:organizations';
/** Logto's username rule: a letter or underscore, then letters, digits or underscores. */
const usernamePattern = /^[A-Za-z_]\w{0,127}$/;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const scopePattern = /^[\x21\x23-\x5B\x5D-\x7E]+$/; // RFC 6749 §3.3 scope-token
const addressFields = ['formatted', 'street_address', 'locality', 'region', 'postal_code', 'country'];

type JsonObject = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
  return `${typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`}`;
}

function keyPath(parent: string, key: string): string {
  const segment = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  return parent ? `${parent}${segment}` : segment.replace(/^\./, '');
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, path: string, fields: readonly string[]): JsonObject {
  if (!isObject(value)) throw new ConfigError(path, `must be an object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!fields.includes(key)) {
      throw new ConfigError(keyPath(path, key), `unknown field (expected one of: ${fields.join(', ')})`);
    }
  }
  return value;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new ConfigError(path, `must be an array, got ${describe(value)}`);
  return value;
}

function optionalArray(value: unknown, path: string): unknown[] {
  return value === undefined ? [] : array(value, path);
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new ConfigError(path, `must be a string, got ${describe(value)}`);
  return value;
}

function nonEmptyString(value: unknown, path: string): string {
  const text = string(value, path);
  if (text.trim() === '') throw new ConfigError(path, 'must not be empty');
  return text;
}

function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined ? undefined : string(value, path);
}

function nullableString(value: unknown, path: string): string | null | undefined {
  return value === null ? null : optionalString(value, path);
}

function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new ConfigError(path, `must be true or false, got ${describe(value)}`);
  return value;
}

function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(
      path,
      `must be one of ${allowed.map((item) => JSON.stringify(item)).join(', ')}, got ${describe(value)}`,
    );
  }
  return value as T;
}

function httpUrl(value: unknown, path: string): string {
  const text = string(value, path);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(path, `must be an absolute http(s) URL, got ${describe(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(path, `must be an absolute http(s) URL, got ${describe(text)}`);
  }
  if (url.hash) throw new ConfigError(path, 'must not contain a fragment (#…)');
  return text;
}

/** RFC 8707 §2: a resource indicator is an absolute URI without a fragment. */
function indicator(value: unknown, path: string): string {
  const text = string(value, path);
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(text) || !URL.canParse(text)) {
    throw new ConfigError(path, `must be an absolute URI (e.g. https://api.example.com), got ${describe(text)}`);
  }
  if (text.includes('#')) throw new ConfigError(path, 'must not contain a fragment (#…)');
  if (text === reservedIndicator)
    throw new ConfigError(path, `${reservedIndicator} is reserved for organization tokens`);
  return text;
}

function scopeList(value: unknown, path: string): string[] {
  const scopes = array(value, path).map((item, index) => {
    const scope = string(item, `${path}[${index}]`);
    if (!scopePattern.test(scope)) {
      throw new ConfigError(
        `${path}[${index}]`,
        `must be a scope name without spaces or quotes, got ${describe(scope)}`,
      );
    }
    return scope;
  });
  unique(scopes, path, 'scope');
  return scopes;
}

function unique(values: readonly string[], path: string, what: string, field = ''): void {
  const seen = new Map<string, number>();
  values.forEach((value, index) => {
    const first = seen.get(value);
    if (first !== undefined) {
      throw new ConfigError(
        `${path}[${index}]${field}`,
        `duplicate ${what} ${JSON.stringify(value)} (already at ${path}[${first}])`,
      );
    }
    seen.set(value, index);
  });
}

function positiveInteger(value: unknown, path: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ConfigError(path, `must be a positive whole number of seconds, got ${describe(value)}`);
  }
  return value;
}

function resourceScopeMap(
  value: unknown,
  path: string,
  resources: ReadonlyMap<string, ResourceConfig>,
): Record<string, string[]> {
  if (!isObject(value))
    throw new ConfigError(path, `must be an object of resource indicator → scopes, got ${describe(value)}`);
  const result: Record<string, string[]> = {};
  for (const [key, scopesValue] of Object.entries(value)) {
    const scopesPath = keyPath(path, key);
    const resource = resources.get(key);
    if (!resource) {
      const known = [...resources.keys()].join(', ') || 'none';
      throw new ConfigError(scopesPath, `unknown resource indicator (resources defined: ${known})`);
    }
    const scopes = scopeList(scopesValue, scopesPath);
    scopes.forEach((scope, index) => {
      if (!resource.scopes.includes(scope)) {
        throw new ConfigError(
          `${scopesPath}[${index}]`,
          `scope ${JSON.stringify(scope)} is not defined on ${key} (its scopes: ${resource.scopes.join(', ') || 'none'})`,
        );
      }
    });
    result[key] = scopes;
  }
  return result;
}

function validateResource(value: unknown, path: string): ResourceConfig {
  const input = object(value, path, ['indicator', 'name', 'scopes', 'accessTokenTtl']);
  const resource: ResourceConfig = {
    indicator: indicator(input.indicator, `${path}.indicator`),
    scopes: scopeList(input.scopes, `${path}.scopes`),
  };
  const name = optionalString(input.name, `${path}.name`);
  if (name !== undefined) resource.name = name;
  const ttl = positiveInteger(input.accessTokenTtl, `${path}.accessTokenTtl`);
  if (ttl !== undefined) resource.accessTokenTtl = ttl;
  return resource;
}

function validateRole(value: unknown, path: string, resources: ReadonlyMap<string, ResourceConfig>): RoleConfig {
  const input = object(value, path, ['name', 'type', 'description', 'scopes']);
  const role: RoleConfig = {
    name: nonEmptyString(input.name, `${path}.name`),
    type:
      input.type === undefined ? 'user' : oneOf(input.type, `${path}.type`, ['user', 'machine_to_machine'] as const),
    scopes: resourceScopeMap(input.scopes, `${path}.scopes`, resources),
  };
  const description = optionalString(input.description, `${path}.description`);
  if (description !== undefined) role.description = description;
  return role;
}

function validateOrganizationRole(
  value: unknown,
  path: string,
  resources: ReadonlyMap<string, ResourceConfig>,
): OrganizationRoleConfig {
  const input = object(value, path, ['name', 'description', 'scopes', 'resourceScopes']);
  const role: OrganizationRoleConfig = {
    name: nonEmptyString(input.name, `${path}.name`),
    scopes: scopeList(input.scopes, `${path}.scopes`),
  };
  const description = optionalString(input.description, `${path}.description`);
  if (description !== undefined) role.description = description;
  if (input.resourceScopes !== undefined) {
    role.resourceScopes = resourceScopeMap(input.resourceScopes, `${path}.resourceScopes`, resources);
  }
  return role;
}

function validateApplication(value: unknown, path: string, roles: ReadonlyMap<string, RoleConfig>): ApplicationConfig {
  const input = object(value, path, [
    'id',
    'name',
    'type',
    'secret',
    'redirectUris',
    'postLogoutRedirectUris',
    'roles',
    'backchannelLogoutUri',
    'backchannelLogoutSessionRequired',
  ]);
  const type = oneOf(input.type, `${path}.type`, ['traditional', 'spa', 'machine_to_machine'] as const);
  const application: ApplicationConfig = { id: nonEmptyString(input.id, `${path}.id`), type };
  if (type === 'spa') {
    // A public client: it runs in the browser and cannot keep a secret.
    if (input.secret !== undefined) {
      throw new ConfigError(`${path}.secret`, 'a single-page app is a public client and has no secret');
    }
  } else {
    application.secret = nonEmptyString(input.secret, `${path}.secret`);
  }
  const name = optionalString(input.name, `${path}.name`);
  if (name !== undefined) application.name = name;

  const redirectUris = optionalArray(input.redirectUris, `${path}.redirectUris`).map((uri, index) =>
    httpUrl(uri, `${path}.redirectUris[${index}]`),
  );
  const postLogoutRedirectUris = optionalArray(input.postLogoutRedirectUris, `${path}.postLogoutRedirectUris`).map(
    (uri, index) => httpUrl(uri, `${path}.postLogoutRedirectUris[${index}]`),
  );
  const roleNames = optionalArray(input.roles, `${path}.roles`).map((role, index) =>
    string(role, `${path}.roles[${index}]`),
  );

  if (type !== 'machine_to_machine') {
    if (redirectUris.length === 0) {
      throw new ConfigError(
        `${path}.redirectUris`,
        `a ${type === 'spa' ? 'single-page' : 'traditional web'} app needs at least one redirect URI`,
      );
    }
    if (roleNames.length > 0) {
      throw new ConfigError(
        `${path}.roles`,
        'only machine-to-machine apps have roles; users get roles in users[].roles',
      );
    }
  } else {
    if (input.redirectUris !== undefined) {
      throw new ConfigError(`${path}.redirectUris`, 'a machine-to-machine app has no redirect URIs');
    }
    if (input.postLogoutRedirectUris !== undefined) {
      throw new ConfigError(
        `${path}.postLogoutRedirectUris`,
        'a machine-to-machine app has no post-logout redirect URIs',
      );
    }
    if (input.backchannelLogoutUri !== undefined) {
      throw new ConfigError(`${path}.backchannelLogoutUri`, 'a machine-to-machine app has no back-channel logout');
    }
  }
  roleNames.forEach((roleName, index) => {
    const role = roles.get(roleName);
    if (!role) throw new ConfigError(`${path}.roles[${index}]`, `unknown role ${JSON.stringify(roleName)}`);
    if (role.type !== 'machine_to_machine') {
      throw new ConfigError(
        `${path}.roles[${index}]`,
        `role ${JSON.stringify(roleName)} is a user role, not a machine_to_machine role`,
      );
    }
  });
  unique(redirectUris, `${path}.redirectUris`, 'redirect URI');
  unique(roleNames, `${path}.roles`, 'role');

  if (input.redirectUris !== undefined) application.redirectUris = redirectUris;
  if (input.postLogoutRedirectUris !== undefined) application.postLogoutRedirectUris = postLogoutRedirectUris;
  if (input.roles !== undefined) application.roles = roleNames;
  if (input.backchannelLogoutUri !== undefined) {
    application.backchannelLogoutUri = httpUrl(input.backchannelLogoutUri, `${path}.backchannelLogoutUri`);
  }
  const sessionRequired = optionalBoolean(
    input.backchannelLogoutSessionRequired,
    `${path}.backchannelLogoutSessionRequired`,
  );
  if (sessionRequired !== undefined) application.backchannelLogoutSessionRequired = sessionRequired;
  return application;
}

/** Refuses a value longer than Logto allows for its field. */
function bounded(text: string, limit: number, path: string): void {
  if (text.length > limit) throw new ConfigError(path, `must be at most ${limit} characters, got ${text.length}`);
}

function validateUser(value: unknown, path: string, roles: ReadonlyMap<string, RoleConfig>): UserConfig {
  const input = object(value, path, [
    'id',
    'username',
    'password',
    'name',
    'picture',
    'email',
    'emailVerified',
    'phone',
    'phoneVerified',
    'profile',
    'address',
    'customData',
    'roles',
  ]);
  const username = string(input.username, `${path}.username`);
  bounded(username, userFieldLimits.username, `${path}.username`);
  if (!usernamePattern.test(username)) {
    throw new ConfigError(
      `${path}.username`,
      `must start with a letter or underscore and contain only letters, digits and underscores, got ${describe(username)}`,
    );
  }
  const user: UserConfig = { username, password: nonEmptyString(input.password, `${path}.password`) };

  const id = optionalString(input.id, `${path}.id`);
  if (id !== undefined) user.id = nonEmptyString(id, `${path}.id`);
  for (const field of ['name', 'picture', 'phone'] as const) {
    const text = nullableString(input[field], `${path}.${field}`);
    if (text) bounded(text, userFieldLimits[field], `${path}.${field}`);
    if (text !== undefined) user[field] = text;
  }
  if (user.picture) httpUrl(user.picture, `${path}.picture`);
  if (user.phone && !/^\d+$/.test(user.phone)) {
    throw new ConfigError(
      `${path}.phone`,
      `must be digits only, with the country code and no "+" (as Logto stores it), got ${describe(user.phone)}`,
    );
  }
  const email = nullableString(input.email, `${path}.email`);
  if (email) bounded(email, userFieldLimits.email, `${path}.email`);
  if (email) {
    if (!emailPattern.test(email))
      throw new ConfigError(`${path}.email`, `must be an email address, got ${describe(email)}`);
  }
  if (email !== undefined) user.email = email;
  const emailVerified = optionalBoolean(input.emailVerified, `${path}.emailVerified`);
  if (emailVerified !== undefined) user.emailVerified = emailVerified;
  const phoneVerified = optionalBoolean(input.phoneVerified, `${path}.phoneVerified`);
  if (phoneVerified !== undefined) user.phoneVerified = phoneVerified;

  if (input.profile !== undefined) {
    const profile = object(input.profile, `${path}.profile`, profileClaimNames);
    user.profile = Object.fromEntries(
      Object.entries(profile).map(([key, text]) => [key, string(text, keyPath(`${path}.profile`, key))]),
    );
  }
  if (input.address !== undefined) {
    const address = object(input.address, `${path}.address`, addressFields);
    const result: AddressConfig = {};
    for (const [key, text] of Object.entries(address)) {
      result[key as keyof AddressConfig] = string(text, keyPath(`${path}.address`, key));
    }
    user.address = result;
  }
  if (input.customData !== undefined) {
    if (!isObject(input.customData)) {
      throw new ConfigError(`${path}.customData`, `must be a JSON object, got ${describe(input.customData)}`);
    }
    user.customData = input.customData;
  }
  if (input.roles !== undefined) {
    const roleNames = array(input.roles, `${path}.roles`).map((role, index) => string(role, `${path}.roles[${index}]`));
    roleNames.forEach((roleName, index) => {
      const role = roles.get(roleName);
      if (!role) throw new ConfigError(`${path}.roles[${index}]`, `unknown role ${JSON.stringify(roleName)}`);
      if (role.type === 'machine_to_machine') {
        throw new ConfigError(
          `${path}.roles[${index}]`,
          `role ${JSON.stringify(roleName)} is a machine_to_machine role, not a user role`,
        );
      }
    });
    unique(roleNames, `${path}.roles`, 'role');
    user.roles = roleNames;
  }
  return user;
}

function validateOrganization(
  value: unknown,
  path: string,
  usernames: ReadonlySet<string>,
  organizationRoles: ReadonlySet<string>,
): OrganizationConfig {
  const input = object(value, path, ['id', 'name', 'description', 'members']);
  const organization: OrganizationConfig = {
    id: nonEmptyString(input.id, `${path}.id`),
    name: nonEmptyString(input.name, `${path}.name`),
    members: optionalArray(input.members, `${path}.members`).map((member, index) =>
      validateMember(member, `${path}.members[${index}]`, usernames, organizationRoles),
    ),
  };
  const description = nullableString(input.description, `${path}.description`);
  if (description !== undefined) organization.description = description;
  unique(
    organization.members.map((member) => member.username),
    `${path}.members`,
    'member',
    '.username',
  );
  return organization;
}

function validateMember(
  value: unknown,
  path: string,
  usernames: ReadonlySet<string>,
  organizationRoles: ReadonlySet<string>,
): OrganizationMemberConfig {
  const input = object(value, path, ['username', 'roles']);
  const username = string(input.username, `${path}.username`);
  if (!usernames.has(username))
    throw new ConfigError(`${path}.username`, `no user has the username ${JSON.stringify(username)}`);
  const roles = optionalArray(input.roles, `${path}.roles`).map((role, index) => {
    const name = string(role, `${path}.roles[${index}]`);
    if (!organizationRoles.has(name)) {
      throw new ConfigError(`${path}.roles[${index}]`, `unknown organization role ${JSON.stringify(name)}`);
    }
    return name;
  });
  unique(roles, `${path}.roles`, 'organization role');
  return { username, roles };
}

/**
 * Checks a parsed configuration document and returns it typed. Checks field types, unique ids
 * and names, URLs and resource indicators, and references: roles named by users and apps exist
 * (with the right type), role scopes exist on their resource, organization members are users,
 * member roles are organization roles. Missing top-level sections are empty.
 *
 * @throws {ConfigError} naming the JSON path of the first bad field.
 */
export function validateConfig(json: unknown): DevServerConfig {
  const input = object(json, '', [
    '$schema',
    'applications',
    'resources',
    'roles',
    'organizationRoles',
    'organizations',
    'users',
  ]);

  const resources = optionalArray(input.resources, 'resources').map((resource, index) =>
    validateResource(resource, `resources[${index}]`),
  );
  unique(
    resources.map((resource) => resource.indicator),
    'resources',
    'resource indicator',
    '.indicator',
  );
  const resourcesByIndicator = new Map(resources.map((resource) => [resource.indicator, resource]));

  const roles = optionalArray(input.roles, 'roles').map((role, index) =>
    validateRole(role, `roles[${index}]`, resourcesByIndicator),
  );
  unique(
    roles.map((role) => role.name),
    'roles',
    'role name',
    '.name',
  );
  const rolesByName = new Map(roles.map((role) => [role.name, role]));

  const organizationRoles = optionalArray(input.organizationRoles, 'organizationRoles').map((role, index) =>
    validateOrganizationRole(role, `organizationRoles[${index}]`, resourcesByIndicator),
  );
  unique(
    organizationRoles.map((role) => role.name),
    'organizationRoles',
    'organization role name',
    '.name',
  );

  const applications = optionalArray(input.applications, 'applications').map((application, index) =>
    validateApplication(application, `applications[${index}]`, rolesByName),
  );
  unique(
    applications.map((application) => application.id),
    'applications',
    'application id',
    '.id',
  );

  const users = optionalArray(input.users, 'users').map((user, index) =>
    validateUser(user, `users[${index}]`, rolesByName),
  );
  unique(
    users.map((user) => user.username.toLowerCase()),
    'users',
    'username (compared case-insensitively)',
    '.username',
  );
  const ids = users.flatMap((user, index) => (user.id === undefined ? [] : [{ id: user.id, index }]));
  const seenIds = new Map<string, number>();
  for (const { id, index } of ids) {
    const first = seenIds.get(id);
    if (first !== undefined)
      throw new ConfigError(
        `users[${index}].id`,
        `duplicate user id ${JSON.stringify(id)} (already at users[${first}])`,
      );
    seenIds.set(id, index);
  }
  const emails = users.flatMap((user, index) => (user.email ? [{ email: user.email.toLowerCase(), index }] : []));
  const seenEmails = new Map<string, number>();
  for (const { email, index } of emails) {
    const first = seenEmails.get(email);
    if (first !== undefined)
      throw new ConfigError(
        `users[${index}].email`,
        `duplicate email ${JSON.stringify(email)} (already at users[${first}])`,
      );
    seenEmails.set(email, index);
  }

  const usernames = new Set(users.map((user) => user.username));
  const organizationRoleNames = new Set(organizationRoles.map((role) => role.name));
  const organizations = optionalArray(input.organizations, 'organizations').map((organization, index) =>
    validateOrganization(organization, `organizations[${index}]`, usernames, organizationRoleNames),
  );
  unique(
    organizations.map((organization) => organization.id),
    'organizations',
    'organization id',
    '.id',
  );

  return { applications, resources, roles, organizationRoles, organizations, users };
}

/**
 * Reads and validates a JSON configuration file.
 *
 * @throws {ConfigError} when the file cannot be read, is not JSON, or is invalid; the message names
 *   the file and the JSON path of the bad field.
 */
export async function loadConfigFile(path: string): Promise<DevServerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'file not found' : String(error);
    throw new ConfigError('', `cannot read the configuration: ${reason}`, path);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('', `not valid JSON: ${error instanceof Error ? error.message : String(error)}`, path);
  }
  try {
    return validateConfig(json);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.path, error.problem, path);
    throw error;
  }
}
