/** HTML rendering for the example's pages: a layout, claim tables and an error page. */

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const style = `
body { font-family: system-ui, -apple-system, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
header { background: #5d34f2; color: white; padding: 0.8rem 1.5rem; display: flex; gap: 1.2rem; align-items: center; flex-wrap: wrap; }
header strong { margin-right: 1rem; }
header a { color: white; text-decoration: none; opacity: 0.9; }
header a:hover { opacity: 1; text-decoration: underline; }
header .who { margin-left: auto; font-size: 0.9rem; }
main { max-width: 60rem; margin: 1.5rem auto; padding: 0 1.5rem; }
section { background: white; border: 1px solid #d0d7de; border-radius: 8px; padding: 1rem 1.25rem; margin-bottom: 1.2rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { text-align: left; vertical-align: top; padding: 0.35rem 0.6rem; border-bottom: 1px solid #eaeef2; }
th { width: 14rem; color: #57606a; font-weight: 600; }
td table th { width: auto; }
code { font-family: ui-monospace, monospace; background: #f3f4f6; padding: 0.05rem 0.3rem; border-radius: 4px; word-break: break-all; }
.muted { color: #57606a; }
.ok { color: #1a7f37; font-weight: 600; } .bad { color: #cf222e; font-weight: 600; }
.button { display: inline-block; background: #5d34f2; color: white; padding: 0.5rem 1rem; border-radius: 6px; text-decoration: none; margin-right: 0.5rem; }
.button.secondary { background: white; color: #5d34f2; border: 1px solid #5d34f2; }
`;

/** A whole page. `signedInAs` is shown in the header; `undefined` means signed out. */
export function page(title: string, body: string, signedInAs?: string): string {
  const account =
    signedInAs === undefined
      ? '<span class="who"><a href="/sign-in">Sign in</a></span>'
      : `<span class="who">Signed in as <b>${escapeHtml(signedInAs)}</b> · <a href="/sign-out">Sign out</a></span>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · logto-kit web app</title>
<style>${style}</style>
</head>
<body>
<header>
<strong>logto-kit web app</strong>
<a href="/">Home</a>
<a href="/protected">ID token</a>
<a href="/protected/userinfo">User info</a>
<a href="/protected/shopping">Shopping API</a>
<a href="/protected/organizations">Organizations</a>
${account}
</header>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Renders a JSON value readably: objects as tables, arrays of objects as tables with columns. */
export function renderValue(value: unknown): string {
  if (value === null) return '<span class="muted">null</span>';
  if (value === undefined) return '<span class="muted">—</span>';
  if (typeof value === 'boolean') return `<code>${value}</code>`;
  if (typeof value === 'number' || typeof value === 'string') return escapeHtml(String(value));
  if (Array.isArray(value)) {
    if (value.length === 0) return '<span class="muted">(none)</span>';
    if (value.every(isRecord)) {
      const columns = [...new Set(value.flatMap((row) => Object.keys(row)))];
      const head = columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('');
      const rows = value
        .map((row) => `<tr>${columns.map((column) => `<td>${renderValue(row[column])}</td>`).join('')}</tr>`)
        .join('');
      return `<table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
    }
    return value
      .map((item) =>
        isRecord(item) || Array.isArray(item) ? renderValue(item) : `<code>${escapeHtml(String(item))}</code>`,
      )
      .join(' ');
  }
  if (isRecord(value)) return claimsTable(value);
  return escapeHtml(String(value));
}

const timeClaims = new Set(['exp', 'iat', 'nbf', 'auth_time']);
const millisecondClaims = new Set(['created_at', 'updated_at']);

/** A two-column table of claims; time claims also shown as dates. */
export function claimsTable(claims: Record<string, unknown>): string {
  const rows = Object.entries(claims)
    .map(([name, value]) => {
      let rendered =
        name === 'scope' && typeof value === 'string'
          ? renderValue(value.split(' ').filter(Boolean))
          : renderValue(value);
      if (typeof value === 'number' && (timeClaims.has(name) || millisecondClaims.has(name))) {
        const date = new Date(millisecondClaims.has(name) ? value : value * 1000);
        rendered += ` <span class="muted">(${date.toISOString()})</span>`;
      }
      return `<tr><th>${escapeHtml(name)}</th><td>${rendered}</td></tr>`;
    })
    .join('');
  return `<table><tbody>${rows}</tbody></table>`;
}

/** The body of an error page: the error code, its message and a way back. */
export function errorBody(code: string, message: string): string {
  return `<section>
<p class="bad">Error code: <code>${escapeHtml(code)}</code></p>
<p>${escapeHtml(message)}</p>
<p><a class="button" href="/">Back to the home page</a> <a class="button secondary" href="/sign-in">Sign in again</a></p>
</section>`;
}
