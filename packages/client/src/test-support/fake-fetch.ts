/** A scripted `fetch` for tests: answers each request with `respond` and records every call. */
export interface FakeFetch {
  fetch: typeof fetch;
  calls: { url: string; init: RequestInit | undefined }[];
}

export type Responder = (url: string, init: RequestInit | undefined) => Response | Promise<Response>;

export function fakeFetch(respond: Responder): FakeFetch {
  const calls: FakeFetch['calls'] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    calls.push({ url, init });
    return respond(url, init);
  };
  return { fetch: fetchImpl as typeof fetch, calls };
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** A promise with its resolve function exposed, to hold a fake response until the test releases it. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

let counter = 0;
/** A URL no other test uses, so process-wide caches never leak between tests. */
export function uniqueIssuer(): string {
  counter += 1;
  return `https://tenant-${counter}-${Math.random().toString(36).slice(2)}.example.com/oidc`;
}
