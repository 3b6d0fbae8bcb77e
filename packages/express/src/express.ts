/** The Express adapter: translates Express requests and responses for the contract of `@logto-kit/web`. */
import type { TLSSocket } from 'node:tls';
import type { AuthResult } from '@logto-kit/api';
import * as web from '@logto-kit/web';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { authenticated } from './authenticated.ts';
import { sendAnswer } from './send-answer.ts';

declare global {
  namespace Express {
    interface Request {
      /** This request's Logto context (`client`, `session`, `paths`). Set by the Logto middleware. */
      logto?: web.LogtoRequestContext;
      /** The signed-in user. Set by `authenticated()`. */
      user?: web.LogtoUser;
      /** An access token for the `resource` given to `authenticated()`. */
      accessToken?: string;
      /** An organization token for the `organizationId` given to `authenticated()`. */
      organizationToken?: string;
      /** The verified caller, set by `requireAuth()`. */
      auth?: AuthResult;
    }
  }
}

/** Configuration of {@link createLogto}. */
export interface LogtoExpressConfig extends web.LogtoCoreConfig {
  /** Renders a failed sign-in callback. Defaults to a small HTML page (status 400, 502 when the provider is unreachable). */
  onCallbackError?: (error: unknown, req: Request, res: Response, next: NextFunction) => void;
}

/** What {@link createLogto} returns (the same members in every adapter): mount `middleware`, protect routes with `authenticated`. */
export type Logto = web.LogtoAdapter<RequestHandler, typeof authenticated>;

/** Sets up Logto for an Express app: `app.use(logto.middleware)`. */
export function createLogto(config: LogtoExpressConfig): Logto {
  const { onCallbackError, ...coreConfig } = config;
  const core = web.createLogtoCore(coreConfig);
  const middleware: RequestHandler = (req, res, next) => {
    const serve = (route: web.RouteAnswer | undefined) => {
      if (!route) next();
      else if (route.kind === 'answer' || !onCallbackError) sendAnswer(res, route.answer);
      else onCallbackError(route.error, req, res.set(web.privateCacheHeaders), next);
    };
    const opened = (result: web.OpenResult) => {
      if (result.kind === 'unavailable') return sendAnswer(res, result.answer);
      req.logto = result.context;
      web.commitBeforeHeaders(res, core, result.context, sendAnswer);
      web.whenReady(core.route(result.context), serve, next);
    };
    // `req.secure` (slow) only differs from the socket's when a trusted proxy says so.
    const secure = req.headers['x-forwarded-proto'] ? req.secure : (req.socket as TLSSocket).encrypted === true;
    web.whenReady(core.open(web.describeNodeRequest(req, secure, req.originalUrl)), opened, next);
  };
  return web.logtoAdapter(core, middleware, authenticated);
}
