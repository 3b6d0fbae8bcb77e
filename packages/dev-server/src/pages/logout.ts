import { createHash } from 'node:crypto';
import { escapeHtml } from './html.ts';
import { renderLayout } from './layout.ts';

/** The parts of oidc-provider's request context the logout pages read, when present. */
export interface LogoutPageContext {
  oidc?: { client?: { clientName?: string | undefined; clientId?: string } | undefined };
}

function clientName(ctx: LogoutPageContext): string | undefined {
  const client = ctx.oidc?.client;
  return client?.clientName ?? client?.clientId;
}

/** The confirmation page's only script: it submits the provider's logout form as the page loads. */
const submitOnLoad = "document.getElementById('op.logoutForm').submit();";

/**
 * The headers of the sign-out page: framed by no other site (as every response, it also carries
 * `X-Frame-Options: SAMEORIGIN`), and no script but {@link submitOnLoad}.
 */
export const logoutConfirmHeaders: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-hashes' 'sha256-${createHash('sha256').update(submitOnLoad).digest('base64')}'; base-uri 'none'; frame-ancestors 'self'`,
};

/**
 * Renders the sign-out page (oidc-provider's `logoutSource` hook). As Logto's, it submits itself:
 * `form` is the provider's hidden form (`id="op.logoutForm"`, carrying its own CSRF token), sent
 * with `logout=yes` (which ends the whole session) as soon as the page loads. Without scripts, a
 * button sends the same form.
 */
export function renderLogoutConfirm(ctx: LogoutPageContext, form: string): string {
  const name = clientName(ctx);
  const body = `${form}
<input type="hidden" form="op.logoutForm" value="yes" name="logout">
<noscript><button type="submit" form="op.logoutForm">Sign out</button></noscript>`;
  return renderLayout({
    title: 'Signing out…',
    subtitle: name
      ? `You are signing out of ${name} and of this identity server.`
      : 'You are signing out of this identity server.',
    body,
    onload: submitOnLoad,
  });
}

/**
 * Renders the page shown after signing out when no `post_logout_redirect_uri` was given
 * (oidc-provider's `postLogoutSuccessSource` hook).
 */
export function renderLogoutSuccess(ctx: LogoutPageContext): string {
  const name = clientName(ctx);
  return renderLayout({
    title: 'Signed out',
    subtitle: 'You have been signed out.',
    body: name
      ? `<p>You can close this window or return to ${escapeHtml(name)}.</p>`
      : '<p>You can close this window.</p>',
  });
}
