import { escapeHtml } from './html.ts';
import { renderLayout } from './layout.ts';

/** The OAuth error oidc-provider passes to its `renderError` hook. */
export interface ErrorOutput {
  /** The OAuth error code (`invalid_request`, `invalid_client`, …). */
  error: string;
  /** A sentence describing the error. */
  error_description?: string;
}

/**
 * Renders the page for an error that cannot be sent back to the application (oidc-provider's
 * `renderError` hook: unknown client, unregistered redirect URI, expired interaction, …).
 * The first argument is the request context, accepted so the function can be passed as the hook.
 */
export function renderErrorPage(_ctx: unknown, out: ErrorOutput, _error?: Error): string {
  return renderMessagePage({
    title: 'Something went wrong',
    message: out.error_description ?? out.error,
    detail: `Error code: ${out.error}`,
  });
}

/** A page that states one problem and what to do about it. */
export interface MessagePage {
  /** Heading and document title. */
  title: string;
  /** The problem, shown as an alert. */
  message: string;
  /** A further line of explanation or advice. */
  detail?: string;
}

/** Renders a page that shows one message: errors, refusals and confirmations. */
export function renderMessagePage(page: MessagePage): string {
  const detail = page.detail ? `<p>${escapeHtml(page.detail)}</p>` : '';
  return renderLayout({ title: page.title, error: page.message, body: detail });
}
