/**
 * HTML escaping for the server-rendered pages. Every value that did not come from this package's
 * own templates (request parameters, form input, configuration, error messages) goes through
 * {@link escapeHtml} before it is placed in a page.
 */

const replacements: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes `value` for use in HTML text and in quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => replacements[character] ?? character);
}
