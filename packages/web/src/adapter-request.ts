/**
 * The request as an adapter describes it to the web core: the few facts the core reads, taken
 * from whatever request object the framework has. Describing a request parses nothing.
 */

/** A request, described by an adapter: everything the core reads of it. */
export interface AdapterRequest {
  /** The HTTP method, upper-case (`GET`). */
  readonly method: string;
  /** The URL path as the client sent it, without the query: `/orders`. */
  readonly path: string;
  /** The query string with its `?` (`?id=1`), or empty. */
  readonly query: string;
  /** The `Cookie` header as sent, or `undefined`. */
  readonly cookies: string | undefined;
  /** Whether the request came over https, as the framework decides it (e.g. behind a trusted proxy). */
  readonly secure: boolean;
  /**
   * Reads a request header by its lower-case name (the first value of a repeated header). The
   * sign-out route reads `sec-fetch-site` and `origin`, answers read `accept`.
   */
  header(name: string): string | undefined;
  /**
   * Reads the body as text (at most 64 KB); only the back-channel logout route reads it. Without
   * it that route reads an empty body.
   */
  text?(): Promise<string>;
}

/** A request target split into its path and query. */
export interface RequestTarget {
  /** `/orders` */
  path: string;
  /** `?id=1`, or empty. */
  query: string;
}

/**
 * Splits a request target as the client sent it: the path and query (`/orders?id=1`, e.g.
 * Express's `req.originalUrl`) or an absolute URL (`https://app.example/orders?id=1`, e.g. a
 * `Request`'s `url`). A fragment, which browsers do not send, is dropped.
 */
export function splitTarget(target: string): RequestTarget {
  let start = 0;
  if (target.charCodeAt(0) !== 47 /* "/" */) {
    const authority = target.indexOf('//');
    start = authority === -1 ? target.length : target.indexOf('/', authority + 2);
    if (start === -1) return { path: '/', query: '' };
  }
  let end = target.indexOf('#', start);
  if (end === -1) end = target.length;
  const queryStart = target.indexOf('?', start);
  if (queryStart === -1 || queryStart > end) return { path: target.slice(start, end) || '/', query: '' };
  return { path: target.slice(start, queryStart) || '/', query: target.slice(queryStart, end) };
}
