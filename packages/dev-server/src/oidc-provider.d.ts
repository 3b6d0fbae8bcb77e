/**
 * Types for the parts of `oidc-provider` 9 the dev server uses. The package ships no type
 * declarations; these cover its public API as used here and the few internal helpers the
 * `refresh_token` grant reuses (`lib/helpers/*`, pinned by the `^9.13` dependency range).
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type Koa from 'koa';

  /** oidc-provider's per-request context (`ctx.oidc`). */
  export interface OIDCContext {
    readonly params: Record<string, string | string[] | undefined> | undefined;
    readonly client: Client | undefined;
    readonly session: Session | undefined;
    readonly grant: Grant | undefined;
    readonly account: Account | undefined;
    readonly route: string;
    readonly resourceServers: Record<string, ResourceServer>;
    readonly requestParamScopes: Set<string>;
    readonly requestParamOIDCScopes: Set<string>;
    readonly result: InteractionResults | undefined;
    readonly entities: Record<string, unknown>;
    readonly provider: Provider;
    entity(key: string, value: unknown): void;
  }

  export type KoaContextWithOIDC = Koa.ParameterizedContext & { oidc: OIDCContext };

  export interface InteractionResults {
    login?: { accountId: string; remember?: boolean; [key: string]: unknown };
    consent?: { grantId?: string; [key: string]: unknown };
    [key: string]: unknown;
  }

  export interface Client {
    readonly clientId: string;
    /** `none` for public clients, else how the client authenticates (`client_secret_basic`…). */
    readonly clientAuthMethod: string;
    readonly clientName?: string;
    /** How the client authenticates at the token endpoint (`none` for public clients). */
    readonly clientAuthMethod: string;
    readonly scope?: string;
    grantTypeAllowed(type: string): boolean;
  }

  export interface Session {
    readonly uid: string;
    readonly accountId: string | undefined;
    grantIdFor(clientId: string): string | undefined;
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string, claims: unknown, rejected: string[]): Promise<Record<string, unknown>>;
  }

  export interface Interaction {
    readonly uid: string;
    readonly params: Record<string, unknown>;
    readonly prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    readonly session?: { accountId: string; uid: string };
    readonly grantId?: string;
    readonly returnTo: string;
  }

  export interface ResourceServerInfo {
    scope: string;
    audience?: string;
    accessTokenTTL?: number;
    accessTokenFormat?: 'opaque' | 'jwt';
    jwt?: { sign?: { alg: string } };
  }

  export class ResourceServer {
    constructor(identifier: string, info: ResourceServerInfo);
    identifier(): string;
    readonly audience?: string;
    readonly scope: string;
    readonly scopes: Set<string>;
    readonly accessTokenTTL?: number;
  }

  export class Grant {
    constructor(properties: { accountId?: string; clientId?: string });
    jti: string;
    accountId?: string;
    clientId?: string;
    readonly isExpired: boolean;
    save(ttl?: number): Promise<string>;
    destroy(): Promise<void>;
    addOIDCScope(scope: string): void;
    rejectOIDCScope(scope: string): void;
    getOIDCScopeFiltered(filter: Set<string>): string;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    rejectResourceScope(resource: string, scope: string): void;
    getResourceScopeFiltered(resource: string, filter: Iterable<string>): string;
    getResourceScopeEncountered(resource: string): string;
    static find(id: string): Promise<Grant | undefined>;
  }

  /** The fields common to the tokens this server works with. */
  interface BaseToken {
    jti: string;
    accountId?: string;
    clientId?: string;
    grantId?: string;
    scope?: string;
    readonly scopes: Set<string>;
    readonly isExpired: boolean;
    readonly expiration: number;
    readonly tokenType: string;
    save(): Promise<string>;
    destroy(): Promise<void>;
  }

  export class AccessToken implements BaseToken {
    constructor(properties: Record<string, unknown>);
    jti: string;
    kind: 'AccessToken';
    accountId?: string;
    clientId?: string;
    grantId?: string;
    scope?: string;
    claims?: unknown;
    gty?: string;
    aud?: string;
    resourceServer?: ResourceServer;
    readonly scopes: Set<string>;
    readonly isExpired: boolean;
    readonly expiration: number;
    readonly tokenType: string;
    save(): Promise<string>;
    destroy(): Promise<void>;
  }

  export class RefreshToken implements BaseToken {
    constructor(properties: Record<string, unknown>);
    jti: string;
    kind: 'RefreshToken';
    accountId?: string;
    clientId?: string;
    grantId?: string;
    scope?: string;
    acr?: string;
    amr?: string[];
    authTime?: number;
    claims?: unknown;
    expiresWithSession?: boolean;
    iiat?: number;
    gty?: string;
    nonce?: string;
    resource?: string | string[];
    rotations?: number;
    sessionUid?: string;
    sid?: string;
    /** When the token was consumed (this server stores milliseconds since the epoch). */
    consumed?: number;
    readonly resourceIndicators: Set<string>;
    readonly scopes: Set<string>;
    readonly isExpired: boolean;
    readonly expiration: number;
    readonly tokenType: string;
    save(): Promise<string>;
    destroy(): Promise<void>;
    consume(): Promise<void>;
    /** How much of its lifetime has passed, in percent. */
    ttlPercentagePassed(): number;
    static find(value: string, options?: { ignoreExpiration?: boolean }): Promise<RefreshToken | undefined>;
  }

  export class ClientCredentials {
    constructor(properties: { client: Client; scope?: string });
    kind: 'ClientCredentials';
    scope?: string;
    resourceServer?: ResourceServer;
    readonly expiration: number;
    readonly tokenType: string;
    save(): Promise<string>;
  }

  export class IdToken {
    constructor(claims: Record<string, unknown>, options: { ctx: KoaContextWithOIDC });
  }

  /** The token-like objects `extraTokenClaims` and the JWT customizer receive. */
  export type IssuedToken = { kind: string; resourceServer?: ResourceServer; scope?: string };

  export interface AdapterPayload {
    [key: string]: unknown;
    grantId?: string;
    userCode?: string;
    uid?: string;
    consumed?: number;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface Check {
    readonly reason: string;
  }
  export interface Prompt {
    readonly name: string;
    readonly checks: Check[] & { remove(reason: string): void; get(reason: string): Check | undefined };
  }
  export interface Policy extends Array<Prompt> {
    get(name: string): Prompt | undefined;
  }

  export const interactionPolicy: { base(): Policy };

  /** oidc-provider's configuration; its callbacks are typed where they are defined. */
  export type Configuration = Record<string, unknown>;

  export class Provider extends Koa {
    constructor(issuer: string, configuration: Configuration);
    readonly issuer: string;
    readonly Grant: typeof Grant;
    readonly AccessToken: typeof AccessToken;
    readonly RefreshToken: typeof RefreshToken;
    readonly ResourceServer: typeof ResourceServer;
    readonly IdToken: typeof IdToken;
    readonly ClientCredentials: typeof ClientCredentials;
    registerGrantType(
      name: string,
      handler: (ctx: KoaContextWithOIDC) => Promise<void>,
      params?: Iterable<string>,
      dupes?: Iterable<string>,
    ): void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
  }

  export class OIDCProviderError extends Error {
    status: number;
    statusCode: number;
    error: string;
    error_description?: string;
  }

  type ErrorClass = new (description?: string, detail?: string) => OIDCProviderError;

  export const errors: {
    OIDCProviderError: typeof OIDCProviderError;
    AccessDenied: ErrorClass;
    InsufficientScope: ErrorClass;
    InvalidGrant: ErrorClass;
    InvalidRequest: ErrorClass;
    InvalidScope: ErrorClass;
    InvalidTarget: ErrorClass;
    InvalidClient: ErrorClass;
  };

  export default Provider;
}

declare module 'oidc-provider/lib/helpers/grant_common.js' {
  import type { AccessToken, Grant, KoaContextWithOIDC, Provider, RefreshToken } from 'oidc-provider';
  /** Issues the ID token of a token response (undefined unless `openid` is in scope). */
  export function issueIdToken(
    provider: Provider,
    ctx: KoaContextWithOIDC,
    source: RefreshToken,
    at: AccessToken,
    grant: Grant,
    scopeOverride?: Set<string>,
  ): Promise<string | undefined>;
}

declare module 'oidc-provider/lib/helpers/revoke.js' {
  import type { KoaContextWithOIDC } from 'oidc-provider';
  /** Revokes a grant and every token issued under it. */
  export default function revoke(ctx: KoaContextWithOIDC, grantId: string): Promise<void>;
}
