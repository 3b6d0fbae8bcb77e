import { type PlainAnswer, sessionUnavailableAnswer } from '@logto-kit/web';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** @internal Sends a plain answer of the core. */
export function sendAnswer(reply: FastifyReply, answer: PlainAnswer): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/**
 * @internal Answers 503 while the session store cannot be reached. From `onSend` (`send: false`)
 * it sets the status and headers and gives the body to return as the payload.
 */
export function sessionUnavailable(request: FastifyRequest, reply: FastifyReply): FastifyReply;
export function sessionUnavailable(request: FastifyRequest, reply: FastifyReply, send: false): string;
export function sessionUnavailable(request: FastifyRequest, reply: FastifyReply, send = true): FastifyReply | string {
  const answer = sessionUnavailableAnswer(request.headers.accept);
  if (send) return sendAnswer(reply, answer);
  reply.code(answer.status).headers(answer.headers);
  return answer.body;
}
