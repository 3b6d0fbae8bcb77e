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

/**
 * Renders the "Sign out?" confirmation (oidc-provider's `logoutSource` hook). `form` is the
 * provider's hidden form (`id="op.logoutForm"`, carrying its own CSRF token); the confirm button
 * submits it with `logout=yes`, which ends the whole session.
 */
export function renderLogoutConfirm(ctx: LogoutPageContext, form: string): string {
  const name = clientName(ctx);
  const body = `${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>`;
  return renderLayout({
    title: 'Sign out?',
    subtitle: name
      ? `You are signing out of ${name} and of this identity server.`
      : 'You are signing out of this identity server.',
    body,
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
