import type { Request, Response } from 'express';
import { sessionUnavailablePage } from './error-page.ts';

/**
 * Answers 503 when the session store cannot be reached: the user is not signed out because of
 * an outage. JSON for clients that prefer it, otherwise a small HTML page.
 */
export function sendSessionUnavailable(req: Request, res: Response): void {
  res.status(503).set('Retry-After', '5').set('Cache-Control', 'no-store');
  if (req.accepts(['html', 'json']) === 'json') res.json({ error: 'Session store unavailable' });
  else res.type('html').send(sessionUnavailablePage());
}
