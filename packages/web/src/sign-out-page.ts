/**
 * The sign-out confirmation page answered to `GET /sign-out`: a GET must not change state (any
 * site can make a browser send one), so the page submits a POST from the application's own
 * origin. Reached from the application's own link it submits itself; from anywhere else the
 * person confirms with the button.
 */
import { htmlContentType, type PlainAnswer, privateCacheHeaders } from './answers.ts';
import { escapeHtml, htmlDocument } from './error-page.ts';

/** Headers of the page: never cached, never framed (the button must not be clickjacked). */
const pageHeaders = {
  ...privateCacheHeaders,
  'Content-Type': htmlContentType,
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "frame-ancestors 'none'",
} as const;

/**
 * The confirmation page, posting to `action`. `submitItself`: the request came from this
 * application's own page (a person clicked its sign-out link), so no second click is asked.
 * `status` is 403 when it answers a refused cross-site POST.
 */
export function signOutConfirmation(action: string, submitItself: boolean, status = 200): PlainAnswer {
  const script = submitItself ? '\n<script>document.getElementById("sign-out").submit();</script>' : '';
  return {
    status,
    headers: { ...pageHeaders },
    body: htmlDocument(
      'Sign out?',
      `<form id="sign-out" method="post" action="${escapeHtml(action)}">
<p>Do you want to sign out?</p>
<p><button type="submit">Sign out</button> <a href="/">Cancel</a></p>
</form>${script}`,
    ),
  };
}
