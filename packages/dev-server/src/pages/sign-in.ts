import { escapeHtml } from './html.ts';
import { renderLayout } from './layout.ts';

/** What the sign-in page shows. */
export interface SignInPage {
  /** The interaction's path, `/interaction/<uid>`: forms post below it. */
  interactionPath: string;
  /** The name of the application the user signs in to. */
  appName: string;
  /** The CSRF token bound to this interaction. */
  csrfToken: string;
  /** The identifier to pre-fill (from `login_hint` or the previous attempt). */
  identifier?: string;
  /** A message explaining why the previous attempt failed. */
  error?: string;
}

/** The message shown for any wrong username, email or password: it never says which part was wrong. */
export const incorrectCredentialsMessage = 'Incorrect username/email or password.';

/** Renders the sign-in page: identifier (username or email) and password. */
export function renderSignIn(page: SignInPage): string {
  const path = escapeHtml(page.interactionPath);
  const body = `<form method="post" action="${path}/login" autocomplete="on">
<input type="hidden" name="csrf" value="${escapeHtml(page.csrfToken)}">
<label>Username or email
<input name="identifier" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required${page.identifier ? '' : ' autofocus'} value="${escapeHtml(page.identifier ?? '')}">
</label>
<label>Password
<input name="password" type="password" autocomplete="current-password" required${page.identifier ? ' autofocus' : ''}>
</label>
<button type="submit">Sign in</button>
</form>
<p class="switch">No account yet? <a href="${path}?screen=register">Create account</a></p>
${renderCancel(page.interactionPath, page.csrfToken)}`;
  return renderLayout({
    title: 'Sign in',
    subtitle: `to continue to ${page.appName}`,
    ...(page.error ? { error: page.error } : {}),
    body,
  });
}

/** A small form that abandons the sign-in and returns the user to the app with `access_denied`. */
export function renderCancel(interactionPath: string, csrfToken: string): string {
  return `<form method="post" action="${escapeHtml(interactionPath)}/abort" class="cancel">
<input type="hidden" name="csrf" value="${escapeHtml(csrfToken)}">
<button type="submit" class="secondary">Cancel and return to the app</button>
</form>`;
}
