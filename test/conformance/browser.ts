// One browser-like HTTP client for both servers: keeps cookies, never follows redirects by itself,
// and records what a response says (status, the headers that matter, the body) as an observation.

/** What one HTTP answer said, in a form two servers' answers can be compared in. */
export interface HttpObservation {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Headers whose values are compared (the rest vary by server software and are not part of the contract). */
export const comparedHeaders = [
  'content-type',
  'www-authenticate',
  'cache-control',
  'pragma',
  'x-frame-options',
  'x-content-type-options',
  'strict-transport-security',
  'referrer-policy',
  'cross-origin-resource-policy',
  'x-xss-protection',
  'x-download-options',
  'x-permitted-cross-domain-policies',
  'origin-agent-cluster',
] as const;

/** A cookie jar for one origin, as a browser would keep it while signing in. */
export class Browser {
  readonly #cookies = new Map<string, string>();
  readonly #base: string;

  constructor(base: string) {
    this.#base = base;
  }

  /** Sends one request (relative URLs resolve against the server), keeping cookies; redirects are not followed. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#cookies.size > 0) {
      headers.set('cookie', [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(new URL(url, this.#base), { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return response;
  }

  /** Sends JSON. */
  json(url: string, method: string, body?: unknown): Promise<Response> {
    return this.fetch(url, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }
}

/** Reads a response into an observation: JSON bodies parsed, HTML reduced to the facts a client relies on. */
export async function observe(response: Response): Promise<HttpObservation> {
  const headers: Record<string, string> = {};
  for (const name of comparedHeaders) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get('location');
    if (location !== null) headers.location = location;
  }
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  let body: unknown = text === '' ? '' : '<text>';
  if (type.includes('json')) {
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      body = '<invalid json>';
    }
  } else if (type.includes('html')) {
    body = htmlFacts(text);
  }
  return { status: response.status, headers, body };
}

/** What an HTML page does for a client: a form that posts itself, where it posts, its hidden fields. */
function htmlFacts(html: string): Record<string, unknown> {
  const form = /<form\b[^>]*>/i.exec(html)?.[0];
  const hidden = [...html.matchAll(/<input\b[^>]*type="hidden"[^>]*>/gi)]
    .map((match) => /name="([^"]*)"/.exec(match[0])?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
  return {
    html: true,
    form: form ? { method: /method="([^"]*)"/i.exec(form)?.[1]?.toLowerCase() ?? 'get' } : null,
    submitsItself: /\.submit\(\)/.test(html),
    hiddenFields: hidden,
  };
}
