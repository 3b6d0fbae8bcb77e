/** How a remote JSON document is fetched: injectable `fetch`, bounded time. */
export interface FetchJsonOptions {
  fetch?: typeof fetch;
  /** Abort the request after this many milliseconds (default 5000). */
  timeoutMs?: number;
}

/** The default bound on a request to the identity provider. */
export const defaultTimeoutMs = 5000;

/**
 * GETs `url` and returns its body parsed as a JSON object. Throws a plain `Error` describing the
 * failure (network error, timeout, non-2xx status, non-JSON body, non-object JSON); callers wrap it
 * in a `LogtoError` with their own code.
 */
export async function fetchJsonObject(url: string, options: FetchJsonOptions = {}): Promise<Record<string, unknown>> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const response = await fetchImpl(url, {
    headers: { accept: 'application/json' },
    // 'manual', not 'error': some edge runtimes lack 'error'; a 3xx then fails the ok check.
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) {
    throw new Error(`GET ${url} answered HTTP ${response.status}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    throw new Error(`GET ${url} did not answer JSON`, { cause });
  }
  if (!isJsonObject(body)) {
    throw new Error(`GET ${url} did not answer a JSON object`);
  }
  return body;
}

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short human description of a fetch failure, for error messages. */
export function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    return error.name === 'TimeoutError' || error.name === 'AbortError' ? 'the request timed out' : error.message;
  }
  return String(error);
}
