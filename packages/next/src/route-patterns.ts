/**
 * The paths a proxy protects, written as Next.js writes `matcher` paths: `/protected` (that path),
 * `/protected/:path*` (it and everything below), `/orders/:id` (one segment), or a `RegExp` tested
 * against the path, or a function.
 */

/** One protected route pattern. */
export type RoutePattern = string | RegExp | ((path: string) => boolean);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A pattern string as a regular expression over the whole path. */
function compile(pattern: string): RegExp {
  if (!pattern.startsWith('/')) throw new TypeError(`A protected route pattern starts with "/": ${pattern}`);
  let source = '';
  const segments = pattern.split('/').slice(1);
  for (const segment of segments) {
    if (/^:[A-Za-z_][A-Za-z0-9_]*\*$/.test(segment)) source += '(?:/.*)?';
    else if (/^:[A-Za-z_][A-Za-z0-9_]*\+$/.test(segment)) source += '/.+';
    else if (/^:[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) source += '/[^/]+';
    else if (segment.includes(':') || segment.includes('*')) {
      throw new TypeError(`Unsupported protected route pattern segment "${segment}" in ${pattern}`);
    } else source += `/${escapeRegExp(segment)}`;
  }
  // `/` alone protects only the home page; a trailing slash of the path is accepted.
  return new RegExp(`^${source === '/' ? '' : source}/?$`);
}

/** A test of a path (without query) against `patterns`: true when any matches. */
export function routeMatcher(patterns: readonly RoutePattern[]): (path: string) => boolean {
  const tests = patterns.map((pattern): ((path: string) => boolean) => {
    if (typeof pattern === 'function') return pattern;
    const expression = typeof pattern === 'string' ? compile(pattern) : pattern;
    return (path) => {
      expression.lastIndex = 0;
      return expression.test(path);
    };
  });
  return (path) => tests.some((test) => test(path));
}
