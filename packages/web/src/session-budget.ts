/**
 * The size bound of cookie sessions. Servers and proxies refuse requests whose headers are too
 * large (431, or a dropped connection), commonly at 8 KB for one header line: a session that grew
 * without bound would lock its user out of the whole site until the cookie expired. So the
 * library's cookies are kept under {@link maxSessionCookieBytes}, lighter contents are tried when
 * a session would not fit, and a cookie over the bound is never opened (it is cleared).
 */
import { chunkName, maxCookieChunkLength } from './cookie-session.ts';
import { lighterSessions } from './session-contents.ts';
import type { SessionData } from './session-store.ts';

/**
 * The most bytes the library's cookies take in a request's `Cookie` header (their `name=value`
 * pairs and the `; ` between them): 7 KB, leaving room for the header's name and the
 * application's own cookies within 8 KB.
 */
export const maxSessionCookieBytes = 7 * 1024;

/** The bytes that the cookies holding a sealed value of `sealedLength` characters take in a `Cookie` header. */
export function cookieHeaderBytes(name: string, sealedLength: number): number {
  const chunks = Math.max(1, Math.ceil(sealedLength / maxCookieChunkLength));
  let bytes = sealedLength + 2 * (chunks - 1);
  for (let index = 0; index < chunks; index += 1) bytes += chunkName(name, index).length + 1;
  return bytes;
}

/**
 * The first of `data` and its lighter versions whose cookies fit the budget, `undefined` when
 * none does. `sealedLength` gives the sealed size of a candidate.
 */
export function fittingSession(
  name: string,
  data: SessionData,
  sealedLength: (candidate: SessionData) => number,
): SessionData | undefined {
  const fits = (candidate: SessionData) => cookieHeaderBytes(name, sealedLength(candidate)) <= maxSessionCookieBytes;
  if (fits(data)) return data;
  for (const candidate of lighterSessions(data)) {
    if (fits(candidate)) return candidate;
  }
  return undefined;
}
