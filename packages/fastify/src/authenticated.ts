import * as web from '@logto-kit/web';
import type { preHandlerHookHandler } from 'fastify';
import { sendAnswer } from './send-answer.ts';

/**
 * A `preHandler` that protects a route, as the guide's `@authenticated` decorator: a signed-out
 * user gets 401 `{"error":"Not authenticated"}`, or with `shouldRedirect` a redirect to sign-in
 * that returns here. A signed-in user's claims are `request.user` (`request.accessToken`,
 * `request.organizationToken` with `resource`, `organizationId`). Needs the Logto plugin.
 */
export function authenticated(options: web.AuthenticatedOptions = {}): preHandlerHookHandler {
  return (request, reply, done) => {
    if (!request.logto)
      return done(new Error('authenticated() needs the Logto plugin: app.register(logto.middleware).'));
    web.whenReady(
      web.decideAuthenticated(request.logto, options),
      (decision) => {
        if (decision.kind === 'answer') return void sendAnswer(reply, decision.answer);
        reply.header('cache-control', decision.headers['Cache-Control']);
        reply.header('vary', web.varyByCookie(reply.getHeader('vary')?.toString()));
        request.user = decision.user;
        request.accessToken = decision.accessToken;
        request.organizationToken = decision.organizationToken;
        done();
      },
      (error) => done(error as Error),
    );
  };
}
