/**
 * What the Logto plugin and guards add to Fastify requests, declared on `FastifyRequest`.
 */
import type { AuthResult } from '@logto-kit/api';
import type { LogtoClient } from '@logto-kit/client';
import type { LogtoPaths, LogtoUser, Session } from '@logto-kit/web';

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's Logto client, its storage being the user's session. Set by the Logto plugin. */
    logto: LogtoClient;
    /** This request's session. Set by the Logto plugin. */
    logtoSession: Session;
    /** The route paths. Set by the Logto plugin. */
    logtoPaths: LogtoPaths;
    /** The signed-in user. Set by `authenticated()`. */
    user: LogtoUser | undefined;
    /** An access token for the `resource` given to `authenticated()`. */
    accessToken: string | undefined;
    /** An organization token for the `organizationId` given to `authenticated()`. */
    organizationToken: string | undefined;
    /** The verified caller. Set by `requireAuth()`. */
    auth: AuthResult | undefined;
  }
}
