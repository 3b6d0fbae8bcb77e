import * as web from '@logto-kit/web';
import type { Context, MiddlewareHandler } from 'hono';
import { authenticated } from './authenticated.ts';

/** Set by the Logto middleware on every request. */
export interface LogtoVariables {
  /** This request's Logto context (`client`, `session`, `paths`). */
  logto: web.LogtoRequestContext;
}

/** The Hono environment of an app using the Logto middleware: `new Hono<LogtoEnv>()`. */
export type LogtoEnv = { Variables: LogtoVariables };

/** Under `@hono/node-server`, `c.env` holds the Node.js request and response. */
export type NodeBindings = { incoming?: unknown; outgoing?: web.NodeHeaders } | undefined;

/** Configuration of {@link createLogto}. */
export interface LogtoHonoConfig extends web.LogtoCoreConfig {
  /** Renders a failed sign-in callback. Defaults to a small HTML page (status 400, 502 when the provider is unreachable). */
  onCallbackError?: (error: unknown, c: Context<LogtoEnv>) => Response | Promise<Response>;
}

/** What {@link createLogto} returns (the same members in every adapter): mount `middleware`, protect routes with `authenticated`. */
export type Logto = web.LogtoAdapter<MiddlewareHandler<LogtoEnv>, typeof authenticated>;

/** Sets up Logto for a Hono app: `app.use(logto.middleware)`. */
export function createLogto(config: LogtoHonoConfig): Logto {
  const { onCallbackError, ...coreConfig } = config;
  const core = web.createLogtoCore(coreConfig);
  // Only promises are awaited: each `await` is a pause, and most requests need none.
  const middleware: MiddlewareHandler<LogtoEnv> = async (c, next) => {
    let opened = core.open(web.describeFetchRequest(c.req.raw, (c.env as NodeBindings)?.incoming));
    if (opened instanceof Promise) opened = await opened;
    if (opened.kind === 'unavailable') return web.toResponse(opened.answer);
    c.set('logto', opened.context);
    const route = core.route(opened.context);
    const answer = route && (await route);
    if (!answer) await next();
    else if (answer.kind === 'answer' || !onCallbackError) c.res = web.toResponse(answer.answer);
    else c.res = web.privateResponse(await onCallbackError(answer.error, c));
    const commit = core.commit(opened.context);
    const result = commit && (await commit);
    if (result?.kind === 'cookies') {
      for (const cookie of result.setCookie) c.header('Set-Cookie', cookie, { append: true });
    } else if (result) replaceResponse(c, web.toResponse(result.answer));
    return c.res;
  };
  return web.logtoAdapter(core, middleware, authenticated);
}

/** Sets `c.res` to `res` and nothing of the response before it (its cookies, its redirect), which Hono would merge in. */
export function replaceResponse(c: Context, res: Response): void {
  if (res === c.res) return;
  c.res = undefined;
  c.res = res;
}
