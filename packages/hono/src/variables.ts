/** What the Logto middleware and guards put on Hono's context (`c.get(…)`), as typed `Variables`. */
import type { AuthResult } from '@logto-kit/api';
import type { LogtoClient } from '@logto-kit/client';
import type { LogtoPaths, LogtoUser, PlainAnswer, Session } from '@logto-kit/web';

/** Set by the Logto middleware (`createLogto(...).middleware`) on every request. */
export interface LogtoVariables {
  /** This request's Logto client, its storage being the user's session. */
  logto: LogtoClient;
  /** This request's session. */
  logtoSession: Session;
  /** The route paths, for links and for `authenticated()`. */
  logtoPaths: LogtoPaths;
}

/** Set by `authenticated()` before the protected handler runs. */
export interface AuthenticatedVariables {
  /** The signed-in user: ID token claims, or the userinfo response with `fetchUserInfo`. */
  user: LogtoUser;
  /** An access token for the `resource` given to `authenticated()`. */
  accessToken: string | undefined;
  /** An organization token for the `organizationId` given to `authenticated()`. */
  organizationToken: string | undefined;
}

/** Set by `requireAuth()` before the protected handler runs. */
export interface AuthVariables {
  /** The verified caller. */
  auth: AuthResult;
}

/** The Hono environment of an app using the Logto middleware: `new Hono<LogtoEnv>()`. */
export type LogtoEnv = { Variables: LogtoVariables };

/** @internal A plain answer of the core as a `Response`. */
export function toResponse(answer: PlainAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}
