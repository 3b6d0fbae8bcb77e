/**
 * The path and query of a request URL as the client sent them (like Express's `originalUrl`),
 * without parsing the URL on every request.
 */
export interface RequestTarget {
  /** `/orders?id=1` */
  pathAndQuery: string;
  /** `/orders` */
  path: string;
  /** `?id=1`, or empty. */
  search: string;
}

/** Splits an absolute request URL (`c.req.url`) into its path and query. */
export function requestTarget(href: string): RequestTarget {
  const pathStart = href.indexOf('/', href.indexOf('//') + 2);
  // Browsers do not send fragments; a URL given by hand may have one.
  const withoutFragment = pathStart === -1 ? '/' : href.slice(pathStart).split('#', 1)[0]!;
  const queryStart = withoutFragment.indexOf('?');
  return queryStart === -1
    ? { pathAndQuery: withoutFragment, path: withoutFragment, search: '' }
    : {
        pathAndQuery: withoutFragment,
        path: withoutFragment.slice(0, queryStart),
        search: withoutFragment.slice(queryStart),
      };
}
