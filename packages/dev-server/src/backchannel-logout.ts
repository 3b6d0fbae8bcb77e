/**
 * OpenID Connect Back-Channel Logout 1.0, as Logto sends it: Logto enables oidc-provider's
 * `backchannelLogout` feature and maps an application's "Backchannel logout URI" and "Is session
 * required" to the client metadata `backchannel_logout_uri` and
 * `backchannel_logout_session_required`. When a user confirms sign-out on the end-session page,
 * oidc-provider posts a signed logout token (`typ: logout+jwt`, `events`, `jti`, `sub`, and `sid`
 * when the session is required) to each such application of the session, and ends the sign-out
 * whatever the application answers.
 */
import type { ApplicationConfig } from './config.ts';

/** The oidc-provider feature setting. */
export const backchannelLogoutFeature = { enabled: true } as const;

/** The client metadata of `application`'s back-channel logout, empty when it has none. */
export function backchannelLogoutMetadata(application: ApplicationConfig): Record<string, unknown> {
  if (application.backchannelLogoutUri === undefined) return {};
  return {
    backchannel_logout_uri: application.backchannelLogoutUri,
    backchannel_logout_session_required: application.backchannelLogoutSessionRequired ?? false,
  };
}

/**
 * The `fetch` oidc-provider sends logout tokens with. Its default guards outgoing requests against
 * loopback and private addresses (SSRF), which is exactly where applications under development
 * run; the dev server only posts to URLs its own configuration registered, so it sends them as
 * they are. oidc-provider makes no other outgoing request for the dev server's clients.
 */
export function backchannelLogoutFetch(url: string | URL, options: RequestInit & { dispatcher?: unknown }) {
  const { dispatcher: _ssrfGuard, ...rest } = options;
  return globalThis.fetch(url, rest);
}
