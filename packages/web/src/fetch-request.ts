/**
 * Describes a web-standard `Request` (Hono, Next.js route handlers, Bun, Deno, workers) for the
 * core, and turns a plain answer into a `Response`.
 */
import { type AdapterRequest, splitTarget } from './adapter-request.ts';
import { type PlainAnswer, privateCacheHeaders, varyByCookie } from './answers.ts';
import { rawHeaderOf } from './node-request.ts';

class FetchRequest implements AdapterRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly cookies: string | undefined;
  readonly secure: boolean;
  readonly #request: Request;
  readonly #rawHeaders: readonly unknown[] | undefined;

  constructor(request: Request, node: unknown) {
    const { url } = request;
    const { path, query } = splitTarget(url);
    this.method = request.method;
    this.path = path;
    this.query = query;
    this.secure = url.startsWith('https:');
    this.#request = request;
    const rawHeaders = (node as { rawHeaders?: unknown } | undefined)?.rawHeaders;
    this.#rawHeaders = Array.isArray(rawHeaders) ? rawHeaders : undefined;
    this.cookies = this.#rawHeaders ? rawHeaderOf(this.#rawHeaders, 'cookie') : this.header('cookie');
  }

  header(name: string): string | undefined {
    if (this.#rawHeaders) return rawHeaderOf(this.#rawHeaders, name);
    return this.#request.headers.get(name) ?? undefined;
  }

  text(): Promise<string> {
    return this.#request.text();
  }
}

/**
 * Describes a `Request`: https when its URL is (as the server or proxy in front of it gave it).
 * `node` is the Node.js request under it, when the server passes one on (`@hono/node-server`'s
 * `c.env.incoming`): its headers are then read from there, without building the `Request`'s
 * `Headers`, which such servers make only when asked.
 */
export function describeFetchRequest(request: Request, node?: unknown): AdapterRequest {
  return new FetchRequest(request, node);
}

/** A plain answer as a `Response`. */
export function toResponse(answer: PlainAnswer): Response {
  return new Response(answer.status === 302 || answer.body === '' ? null : answer.body, {
    status: answer.status,
    headers: answer.headers,
  });
}

/**
 * `response` made private to the user, as every answer that depends on the session:
 * `Cache-Control: private, no-store` and `Cookie` in `Vary` (a copy: its headers may be immutable).
 */
export function privateResponse(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set('Cache-Control', privateCacheHeaders['Cache-Control']);
  headers.set('Vary', varyByCookie(headers.get('vary') ?? undefined));
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * `response` marked private to the user, as every answer of a signed-in page: `Cache-Control:
 * private, no-store` unless the handler chose its own, and `Cookie` in `Vary`. Headers are set in
 * place; when they are immutable (e.g. `Response.redirect`, a fetched response), it returns a copy.
 */
export function markPrivate(response: Response): Response {
  const { headers } = response;
  const vary = headers.get('vary') ?? undefined;
  const varied = varyByCookie(vary);
  try {
    if (!headers.has('cache-control')) headers.set('Cache-Control', privateCacheHeaders['Cache-Control']);
    if (varied !== vary) headers.set('Vary', varied);
    return response;
  } catch {
    return privateResponse(response);
  }
}
