import { escapeHtml } from './html.ts';
import { renderLayout } from './layout.ts';
import { renderCancel } from './sign-in.ts';

/** What the registration page shows. */
export interface RegisterPage {
  /** The interaction's path, `/interaction/<uid>`: forms post below it. */
  interactionPath: string;
  /** The name of the application the user signs up for. */
  appName: string;
  /** The CSRF token bound to this interaction. */
  csrfToken: string;
  /** The username from the previous attempt (the password is never kept). */
  username?: string;
  /** The email from the previous attempt. */
  email?: string;
  /** A message explaining why the previous attempt failed. */
  error?: string;
}

/** Renders the registration page: username, optional email and password. */
export function renderRegister(page: RegisterPage): string {
  const path = escapeHtml(page.interactionPath);
  const body = `<form method="post" action="${path}/register" autocomplete="on">
<input type="hidden" name="csrf" value="${escapeHtml(page.csrfToken)}">
<label>Username
<input name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus value="${escapeHtml(page.username ?? '')}">
</label>
<label><span>Email <span class="optional">(optional)</span></span>
<input name="email" type="email" autocomplete="email" value="${escapeHtml(page.email ?? '')}">
</label>
<label>Password
<input name="password" type="password" autocomplete="new-password" required>
</label>
<button type="submit">Create account</button>
</form>
<p class="switch">Already have an account? <a href="${path}?screen=sign-in">Sign in</a></p>
${renderCancel(page.interactionPath, page.csrfToken)}`;
  return renderLayout({
    title: 'Create account',
    subtitle: `to continue to ${page.appName}`,
    ...(page.error ? { error: page.error } : {}),
    body,
  });
}
