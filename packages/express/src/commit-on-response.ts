import type { Response } from 'express';
import type { Session } from './session.ts';
import { sendSessionUnavailable } from './session-unavailable.ts';

/**
 * Persists the session when the response is sent: `Set-Cookie` headers are added just before the
 * headers go out, and store writes finish before the response ends.
 */
export function commitOnResponse(res: Response, session: Session): void {
  let prepared: ReturnType<Session['prepare']> | undefined;
  const prepare = () => {
    if (!prepared) {
      prepared = session.prepare();
      if (prepared.headers.length > 0 && !res.headersSent) res.append('Set-Cookie', prepared.headers);
    }
    return prepared;
  };
  const writeHead = res.writeHead;
  res.writeHead = function (this: Response, ...args: unknown[]) {
    prepare();
    return Reflect.apply(writeHead, this, args);
  } as typeof res.writeHead;
  const end = res.end;
  res.end = function (this: Response, ...args: unknown[]) {
    const { persist } = prepare();
    if (!persist) return Reflect.apply(end, this, args);
    persist().then(
      () => Reflect.apply(end, this, args),
      (error: unknown) => {
        session.reportStoreFailure(error);
        if (!this.headersSent) {
          // Answer the failure instead of a response that depends on a session that does not exist.
          this.writeHead = writeHead;
          this.end = end;
          for (const header of ['Set-Cookie', 'Location', 'Content-Length', 'Content-Type', 'ETag']) {
            this.removeHeader(header);
          }
          sendSessionUnavailable(this.req, this);
        } else {
          Reflect.apply(end, this, args);
        }
      },
    );
    return this;
  } as typeof res.end;
}
