import type { DevServerConfig } from './config.ts';

/** Why an app URL cannot be registered (the CLI shows `message` as a usage error). */
export class AppUrlError extends Error {
  override readonly name = 'AppUrlError';
}

/** `http(s)://host[:port][/path]` without a trailing slash, or an {@link AppUrlError}. */
function appBase(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppUrlError(`--app-url must be an absolute http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new AppUrlError(`--app-url must be an absolute http(s) URL, got "${value}"`);
  if (url.search || url.hash || url.username || url.password)
    throw new AppUrlError(`--app-url takes no query, fragment or credentials, got "${value}"`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * The configuration with each app URL registered for its one traditional web application (in the
 * demo world, `sample-web-app`): the redirect URI `<url>/callback` and the post-logout redirect
 * URI `<url>/`, added to those it has. What `--app-url` does.
 *
 * @throws {AppUrlError} for a URL that is not http(s) or carries a query, fragment or credentials,
 *   and when the configuration has no traditional web application or several.
 */
export function withAppUrls(config: DevServerConfig, appUrls: readonly string[]): DevServerConfig {
  if (appUrls.length === 0) return config;
  const bases = appUrls.map(appBase);
  const webApps = config.applications.filter((application) => application.type === 'traditional');
  if (webApps.length !== 1) {
    throw new AppUrlError(
      `--app-url needs exactly one traditional web application in the configuration, found ${webApps.length}`,
    );
  }
  const unique = (values: string[]) => [...new Set(values)];
  return {
    ...config,
    applications: config.applications.map((application) =>
      application.type === 'traditional'
        ? {
            ...application,
            redirectUris: unique([...(application.redirectUris ?? []), ...bases.map((base) => `${base}/callback`)]),
            postLogoutRedirectUris: unique([
              ...(application.postLogoutRedirectUris ?? []),
              ...bases.map((base) => `${base}/`),
            ]),
          }
        : application,
    ),
  };
}
