import { escapeHtml } from './html.ts';

/** What every page of the dev server is made of. */
export interface PageContent {
  /** The document title and main heading (plain text, escaped here). */
  title: string;
  /** A line under the heading (plain text, escaped here). */
  subtitle?: string;
  /** An error shown above the body (plain text, escaped here), announced to assistive technology. */
  error?: string;
  /** The page body: HTML built by the page templates, whose dynamic parts are already escaped. */
  body: string;
  /** A constant script run when the page loads (the page's headers must allow exactly it). */
  onload?: string;
}

const styles = `
  :root { color-scheme: light dark; --accent: #5d34f2; --danger: #c0262d; --muted: #6b6b76; }
  * { box-sizing: border-box; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; padding: 24px;
    font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: Canvas; color: CanvasText; }
  main { width: 100%; max-width: 400px; }
  .brand { color: var(--muted); font-size: 14px; margin: 0 0 24px; }
  h1 { font-size: 28px; margin: 0 0 4px; }
  .subtitle { color: var(--muted); margin: 0 0 24px; }
  form { display: grid; gap: 16px; margin: 0 0 16px; }
  label { display: grid; gap: 4px; font-weight: 600; font-size: 14px; }
  .optional { color: var(--muted); font-weight: 400; }
  input { font: inherit; padding: 10px 12px; border: 1px solid #8a8a96; border-radius: 8px; background: Field; color: FieldText; }
  input:focus { outline: 2px solid var(--accent); outline-offset: 1px; }
  button { font: inherit; font-weight: 600; padding: 10px 12px; border: 0; border-radius: 8px; cursor: pointer;
    background: var(--accent); color: #fff; }
  button.secondary { background: transparent; color: var(--accent); padding: 0; font-weight: 400; }
  .error { border: 1px solid var(--danger); color: var(--danger); border-radius: 8px; padding: 10px 12px; margin: 0 0 16px; }
  .switch { color: var(--muted); margin: 0 0 8px; }
  form.cancel { justify-items: start; }
  a { color: var(--accent); }
`;

/** Renders a complete HTML document around `content`. */
export function renderLayout(content: PageContent): string {
  const subtitle = content.subtitle ? `<p class="subtitle">${escapeHtml(content.subtitle)}</p>` : '';
  const error = content.error ? `<p class="error" role="alert">${escapeHtml(content.error)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(content.title)}</title>
<style>${styles}</style>
</head>
<body${content.onload ? ` onload="${escapeHtml(content.onload)}"` : ''}>
<main>
<p class="brand">logto-kit dev server</p>
<h1>${escapeHtml(content.title)}</h1>
${subtitle}
${error}
${content.body}
</main>
</body>
</html>
`;
}

/**
 * Response headers for every page: not cached (they carry CSRF tokens and personal data), not
 * framable (clickjacking), no scripts at all.
 */
export const pageHeaders: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};
