/**
 * Whether a state-changing request comes from the application's own pages, as the browser tells
 * it: `Sec-Fetch-Site` (Fetch Metadata) when sent, otherwise `Origin`. A request that says neither
 * is refused: every current browser sends `Origin` with a POST.
 */

/**
 * `true` when `Sec-Fetch-Site` is `same-origin`, or, without it, when `Origin` is `appOrigin`.
 * `same-site` is refused too: a sibling subdomain is another application.
 */
export function isSameOriginRequest(header: (name: string) => string | undefined, appOrigin: string): boolean {
  const site = header('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin';
  return header('origin') === appOrigin;
}
