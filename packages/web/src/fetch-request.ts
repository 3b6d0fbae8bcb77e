/**
 * Describes a web-standard `Request` (Hono, Next.js route handlers, Bun, Deno, workers) for the
 * core, and turns a plain answer into a `Response`.
 */
import { type AdapterRequest, splitTarget } from './adapter-request.ts';
import { type PlainAnswer, privateCacheHeaders, varyByCookie } from './answers.ts';

class FetchRequest implements AdapterRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly cookies: string | undefined;
  readonly secure: boolean;
  readonly #request: Request;

  constructor(request: Request) {
    const { url } = request;
    const { path, query } = splitTarget(url);
    this.method = request.method;
    this.path = path;
    this.query = query;
    this.cookies = request.headers.get('cookie') ?? undefined;
    this.secure = url.startsWith('https:');
    this.#request = request;
  }

  header(name: string): string | undefined {
    return this.#request.headers.get(name) ?? undefined;
  }

  text(): Promise<string> {
    return this.#request.text();
  }
}

/** Describes a `Request`: https when its URL is (as the server or proxy in front of it gave it). */
export function describeFetchRequest(request: Request): AdapterRequest {
  return new FetchRequest(request);
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
