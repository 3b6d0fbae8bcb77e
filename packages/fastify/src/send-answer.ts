import type { PlainAnswer } from '@logto-kit/web';
import type { FastifyReply } from 'fastify';

/** Sends a plain answer of the core. */
export const sendAnswer = (reply: FastifyReply, answer: PlainAnswer): FastifyReply =>
  reply.code(answer.status).headers(answer.headers).send(answer.body);
