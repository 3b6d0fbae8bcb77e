import type { PlainAnswer } from '@logto-kit/web';
import type { FastifyReply } from 'fastify';

/**
 * Sends a plain answer of the core. From an `onSend` hook, where the reply is already being sent,
 * `payload: true` sets the status and headers and gives the body to return as the payload.
 */
export function sendAnswer(reply: FastifyReply, answer: PlainAnswer): FastifyReply;
export function sendAnswer(reply: FastifyReply, answer: PlainAnswer, payload: true): string;
export function sendAnswer(reply: FastifyReply, answer: PlainAnswer, payload?: true): FastifyReply | string {
  reply.code(answer.status).headers(answer.headers);
  return payload ? answer.body : reply.send(answer.body);
}
