/**
 * Reads the forms and alerts of the dev server's own pages, for driving them with `fetch`. Not a
 * general HTML parser: it understands the markup this package renders (and oidc-provider's forms).
 */

/** A form found in a page. */
export interface ParsedForm {
  /** The form's `id` attribute. */
  id: string | undefined;
  /** `get` or `post`, lower case. */
  method: string;
  /** The action, resolved against the page's URL. */
  action: string;
  /** Every named `<input>` with its value (hidden, text and others), in document order. */
  inputs: Array<{ name: string; type: string; value: string }>;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" };

/** Decodes the entities `escapeHtml` produces (and numeric ones). */
export function decodeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z0-9#]+);/gi, (whole, entity: string) => {
    const named = entities[entity.toLowerCase()];
    if (named !== undefined) return named;
    if (entity.startsWith('#x') || entity.startsWith('#X'))
      return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return whole;
  });
}

function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of tag.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    const name = match[1]?.toLowerCase();
    if (!name || found.has(name)) continue;
    found.set(name, decodeHtml(match[2] ?? match[3] ?? match[4] ?? ''));
  }
  return found;
}

/** The forms of `html`, with actions resolved against `pageUrl`. */
export function parseForms(html: string, pageUrl: string): ParsedForm[] {
  const forms: ParsedForm[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const formAttributes = attributes(match[1] ?? '');
    const inputs: ParsedForm['inputs'] = [];
    for (const input of (match[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
      const inputAttributes = attributes(input[1] ?? '');
      const name = inputAttributes.get('name');
      if (!name) continue;
      inputs.push({
        name,
        type: (inputAttributes.get('type') ?? 'text').toLowerCase(),
        value: inputAttributes.get('value') ?? '',
      });
    }
    forms.push({
      id: formAttributes.get('id'),
      method: (formAttributes.get('method') ?? 'get').toLowerCase(),
      action: new URL(formAttributes.get('action') || pageUrl, pageUrl).href,
      inputs,
    });
  }
  return forms;
}

/** The text of the page's alert (`role="alert"`), if it shows one. */
export function findAlert(html: string): string | undefined {
  const match = /<([a-z0-9]+)\b[^>]*\brole="alert"[^>]*>([\s\S]*?)<\/\1>/i.exec(html);
  if (!match) return undefined;
  return decodeHtml((match[2] ?? '').replace(/<[^>]*>/g, '')).trim();
}

/** The page's `<title>`, if any. */
export function findTitle(html: string): string | undefined {
  const match = /<title>([\s\S]*?)<\/title>/i.exec(html);
  return match ? decodeHtml(match[1] ?? '').trim() : undefined;
}
