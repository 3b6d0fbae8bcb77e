import type { PlainAnswer } from '@logto-kit/web';
import type { Response } from 'express';

/** Sends a plain answer of the core with Node's own response methods (Express's helpers cost microseconds). */
export function sendAnswer(res: Response, answer: PlainAnswer): void {
  res.statusCode = answer.status;
  for (const name in answer.headers) res.setHeader(name, answer.headers[name]!);
  res.end(answer.body);
}
