import { sessionUnavailableAnswer } from '@logto-kit/web';
import type { Request, Response } from 'express';

/** Answers 503 while the session store cannot be reached (see `sessionUnavailableAnswer`). */
export function sendSessionUnavailable(req: Request, res: Response): void {
  const { status, headers, body } = sessionUnavailableAnswer(req.headers.accept);
  res.status(status).set(headers).send(body);
}
