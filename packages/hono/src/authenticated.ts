import {
  type AuthenticatedOptions,
  decideAuthenticated,
  jsonContentType,
  notAuthenticatedBody,
  privateCacheHeaders,
  sessionUnavailableAnswer,
} from '@logto-kit/web';
import type { MiddlewareHandler } from 'hono';
import { requestTarget } from './request-target.ts';
import { type AuthenticatedVariables, type LogtoVariables, toResponse } from './variables.ts';

export type { AuthenticatedOptions } from '@logto-kit/web';

/**
 * Protects a route, as the guide's `@authenticated` decorator: a signed-out user gets 401
 * `{"error":"Not authenticated"}`, or with `shouldRedirect` a redirect to sign-in that returns
 * here. A signed-in user's claims are `c.get('user')` (`c.get('accessToken')`,
 * `c.get('organizationToken')` with `resource`, `organizationId`). Needs the Logto middleware
 * before it.
 */
export function authenticated(
  options: AuthenticatedOptions = {},
): MiddlewareHandler<{ Variables: LogtoVariables & AuthenticatedVariables }> {
  return async (c, next) => {
    const client = c.get('logto');
    const paths = c.get('logtoPaths');
    if (!client || !paths) {
      throw new Error('authenticated() needs the Logto middleware first: app.use(createLogto({ ... }).middleware).');
    }
    const decision = await decideAuthenticated(
      client,
      options,
      { method: c.req.method, url: requestTarget(c.req.url).pathAndQuery },
      paths,
    );
    switch (decision.kind) {
      case 'user': {
        c.set('user', decision.user);
        c.set('accessToken', decision.accessToken);
        c.set('organizationToken', decision.organizationToken);
        // Personal: no shared cache may keep it (the handler may still choose its own Cache-Control).
        // Set before the handler, they cost no copy when it answers with c.json(), c.html(), …
        c.header('Cache-Control', privateCacheHeaders['Cache-Control']);
        c.header('Vary', privateCacheHeaders.Vary, { append: true });
        await next();
        // …and a Response the handler built itself gets them on a copy.
        const { headers } = c.res;
        if (!headers.has('cache-control')) c.header('Cache-Control', privateCacheHeaders['Cache-Control']);
        if (!/\bcookie\b/i.test(headers.get('vary') ?? ''))
          c.header('Vary', privateCacheHeaders.Vary, { append: true });
        return;
      }
      case 'redirect':
        return new Response(null, { status: 302, headers: { location: decision.location, ...privateCacheHeaders } });
      case 'unauthorized':
        return new Response(JSON.stringify(notAuthenticatedBody), {
          status: 401,
          headers: { 'content-type': jsonContentType, ...privateCacheHeaders },
        });
      case 'unavailable':
        return toResponse(sessionUnavailableAnswer(c.req.header('accept')));
    }
  };
}
