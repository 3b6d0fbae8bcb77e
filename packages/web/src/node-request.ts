/**
 * Describes a Node.js request (`http.IncomingMessage`, as Express, Fastify and `node:http` give
 * it) for the core, by its shape only: no `node:` import, so this module stays web-standard.
 */
import { type AdapterRequest, splitTarget } from './adapter-request.ts';

/** The largest body {@link AdapterRequest.text} reads. */
export const maxBodyBytes = 65_536;

/** The parts of a Node.js `IncomingMessage` (or a framework's request built on it) the core reads. */
export interface NodeLikeRequest extends AsyncIterable<unknown> {
  method?: string;
  /** The path and query as sent. */
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  /** Whether the body stream was read to its end (by a body parser). */
  readableEnded?: boolean;
  /** The body a parser read first (e.g. `express.urlencoded()`): a string, or form fields. */
  body?: unknown;
}

class NodeRequest implements AdapterRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly cookies: string | undefined;
  readonly secure: boolean;
  readonly #raw: NodeLikeRequest;

  constructor(raw: NodeLikeRequest, secure: boolean, target: string) {
    const { path, query } = splitTarget(target);
    this.method = raw.method ?? 'GET';
    this.path = path;
    this.query = query;
    this.cookies = raw.headers.cookie as string | undefined;
    this.secure = secure;
    this.#raw = raw;
  }

  header(name: string): string | undefined {
    const value = this.#raw.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }

  async text(): Promise<string> {
    const raw = this.#raw;
    if (typeof raw.body === 'string') return raw.body;
    if (raw.readableEnded) {
      // Read by a body parser: form fields are encoded again.
      if (typeof raw.body !== 'object' || raw.body === null) return '';
      const fields = Object.entries(raw.body).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      );
      return new URLSearchParams(fields).toString();
    }
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of raw) {
      text += typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
      if (text.length > maxBodyBytes) throw new Error(`The request body is larger than ${maxBodyBytes} bytes.`);
    }
    return text + decoder.decode();
  }
}

/**
 * Describes a Node.js request: `secure` as the framework decides it (behind a trusted proxy, from
 * `X-Forwarded-Proto`), `target` the path and query as sent (defaults to `raw.url`).
 */
export function describeNodeRequest(raw: NodeLikeRequest, secure: boolean, target = raw.url ?? '/'): AdapterRequest {
  return new NodeRequest(raw, secure, target);
}

/**
 * A header of a Node.js request read from its `rawHeaders` (names and values in turn, as sent), by
 * its lower-case name, without building `headers`: the first value, or for `cookie` every value
 * joined with `; ` (as Node.js joins them).
 */
export function rawHeaderOf(rawHeaders: readonly unknown[], name: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = rawHeaders[i];
    const value = rawHeaders[i + 1];
    if (typeof key !== 'string' || typeof value !== 'string' || key.length !== name.length) continue;
    if (key !== name && key.toLowerCase() !== name) continue;
    if (found === undefined) found = value;
    else if (name === 'cookie') found += `; ${value}`;
    else return found;
  }
  return found;
}
