import type { Session } from '@logto-kit/web';
import type { Response } from 'express';
import { sendSessionUnavailable } from './session-unavailable.ts';

type Sending = 'writeHead' | 'flushHeaders' | 'write' | 'end';
const sendingMethods: readonly Sending[] = ['writeHead', 'flushHeaders', 'write', 'end'];

/**
 * Persists the session when the response is sent. Sealing the cookie and writing the store are
 * asynchronous while Node sends headers synchronously, so when the session changed, the first
 * call that would send the headers (`writeHead`, `flushHeaders`, `write`, `end`) and those after
 * it are held until the `Set-Cookie` headers are set and the store written, then replayed in
 * order. An unchanged session (the usual signed-in request) holds nothing.
 */
export function commitOnResponse(res: Response, session: Session): void {
  const originals = new Map<Sending, (...args: unknown[]) => unknown>();
  for (const method of sendingMethods) originals.set(method, res[method] as (...args: unknown[]) => unknown);
  const restore = () => {
    for (const [method, original] of originals) (res as unknown as Record<Sending, unknown>)[method] = original;
  };
  const held: Array<[Sending, unknown[]]> = [];
  let committing = false;

  const replay = () => {
    restore();
    for (const [method, args] of held) Reflect.apply(originals.get(method)!, res, args);
  };

  const commit = async () => {
    try {
      const { headers, persist } = await session.prepare();
      await persist?.();
      if (headers.length > 0) res.append('Set-Cookie', headers);
      replay();
    } catch (error) {
      session.reportStoreFailure(error);
      restore();
      // Answer the failure instead of a response that depends on a session that does not exist.
      for (const header of ['Set-Cookie', 'Location', 'Content-Length', 'Content-Type', 'ETag'])
        res.removeHeader(header);
      sendSessionUnavailable(res.req, res);
    }
  };

  for (const method of sendingMethods) {
    (res as unknown as Record<Sending, unknown>)[method] = function (this: Response, ...args: unknown[]) {
      if (!committing && !session.needsCommit()) {
        restore();
        return Reflect.apply(originals.get(method)!, this, args);
      }
      held.push([method, args]);
      if (!committing) {
        committing = true;
        void commit();
      }
      // Held: report success (`write` has not filled a buffer, `writeHead` chains).
      return method === 'write' ? true : this;
    };
  }
}
