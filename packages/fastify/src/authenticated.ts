import {
  type AuthenticatedOptions,
  decideAuthenticated,
  notAuthenticatedBody,
  privateCacheHeaders,
} from '@logto-kit/web';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionUnavailable } from './send-answer.ts';
import './fastify-request.ts';

export type { AuthenticatedOptions } from '@logto-kit/web';

/** A `preHandler` hook. */
export type LogtoPreHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/**
 * A `preHandler` that protects a route, as the guide's `@authenticated` decorator: a signed-out
 * user gets 401 `{"error":"Not authenticated"}`, or with `shouldRedirect` a redirect to sign-in
 * that returns here. A signed-in user's claims are `request.user` (`request.accessToken`,
 * `request.organizationToken` with `resource`, `organizationId`). Needs the Logto plugin.
 */
export function authenticated(options: AuthenticatedOptions = {}): LogtoPreHandler {
  return async (request, reply) => {
    if (!request.logto || !request.logtoPaths) {
      throw new Error('authenticated() needs the Logto plugin first: await app.register(createLogto({ ... }).plugin).');
    }
    const decision = await decideAuthenticated(
      request.logto,
      options,
      { method: request.method, url: request.url },
      request.logtoPaths,
    );
    // Personal, whatever the outcome: no shared cache may keep it.
    reply.headers(privateCacheHeaders);
    switch (decision.kind) {
      case 'user':
        request.user = decision.user;
        request.accessToken = decision.accessToken;
        request.organizationToken = decision.organizationToken;
        return undefined;
      case 'redirect':
        return reply.redirect(decision.location, 302);
      case 'unauthorized':
        return reply.code(401).send(notAuthenticatedBody);
      case 'unavailable':
        return sessionUnavailable(request, reply);
    }
  };
}
