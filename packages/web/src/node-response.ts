/**
 * Commits the session on a Node.js response (`http.ServerResponse`, as Express and `node:http`
 * give it) at the last moment: Node sends headers synchronously, while a changed session is
 * sealed and stored asynchronously. So the first call that would send the headers (`writeHead`,
 * `flushHeaders`, `write`, `end`) and those after it are held until the `Set-Cookie` headers are
 * set and the store written, then replayed in order. An unchanged session (the usual signed-in
 * request) holds nothing. By the response's shape only: no `node:` import.
 */
import { type PlainAnswer, privateCacheHeaders, varyByCookie } from './answers.ts';
import type { CommitResult, LogtoCore } from './logto-core.ts';
import type { LogtoRequestContext } from './request-context.ts';

/** The parts of a Node.js `ServerResponse` the commit uses. */
export interface NodeLikeResponse {
  writeHead(...args: never[]): unknown;
  flushHeaders(): void;
  write(...args: never[]): unknown;
  end(...args: never[]): unknown;
  removeHeader(name: string): void;
  appendHeader(name: string, value: string[]): unknown;
}

type Sending = 'writeHead' | 'flushHeaders' | 'write' | 'end';
type Method = (...args: unknown[]) => unknown;

/** One response's commit: the response's own sending methods, and the calls held meanwhile. */
interface PendingCommit<R> extends Record<Sending, Method> {
  core: LogtoCore;
  context: LogtoRequestContext;
  send: (res: R, answer: PlainAnswer) => void;
  /** Calls held while the commit runs; `null` once the headers may go. */
  held: Array<[Sending, unknown[]]> | undefined | null;
}

const commitKey = Symbol('logto-kit.commit');
type Committing = NodeLikeResponse & { [commitKey]: PendingCommit<NodeLikeResponse> };

function sending(res: Committing, method: Sending, args: unknown[]): unknown {
  const commit = res[commitKey];
  if (commit.held === null) return Reflect.apply(commit[method], res, args);
  if (commit.held === undefined) {
    const pending = commit.core.commit(commit.context);
    if (!pending) {
      commit.held = null;
      return Reflect.apply(commit[method], res, args);
    }
    commit.held = [];
    void pending.then((result) => replay(res, commit, result));
  }
  commit.held.push([method, args]);
  // Held: report success (`write` has not filled a buffer, `writeHead` chains).
  return method === 'write' ? true : res;
}

function replay(res: NodeLikeResponse, commit: PendingCommit<NodeLikeResponse>, result: CommitResult): void {
  const held = commit.held!;
  commit.held = null;
  if (result.kind === 'unavailable') {
    // Answer the failure instead of a response that depends on a session that does not exist.
    for (const header of result.drop) res.removeHeader(header);
    commit.send(res, result.answer);
    return;
  }
  if (result.setCookie.length > 0) res.appendHeader('Set-Cookie', result.setCookie);
  for (const [method, args] of held) Reflect.apply(commit[method], res, args);
}

// Shared by every response: only the state differs.
const interceptors: Record<Sending, Method> = {
  writeHead(this: Committing, ...args) {
    return sending(this, 'writeHead', args);
  },
  flushHeaders(this: Committing, ...args) {
    return sending(this, 'flushHeaders', args);
  },
  write(this: Committing, ...args) {
    return sending(this, 'write', args);
  },
  end(this: Committing, ...args) {
    return sending(this, 'end', args);
  },
};

/**
 * Commits `context`'s session (see `LogtoCore.commit`) before `res` sends its headers; a response
 * whose session never changes is not touched at all. When the session cannot be saved, the
 * response's own headers that depend on it are removed and `send` sends the 503 answer instead.
 */
export function commitBeforeHeaders<R extends NodeLikeResponse>(
  res: R,
  core: LogtoCore,
  context: LogtoRequestContext,
  send: (res: R, answer: PlainAnswer) => void,
): void {
  // Nothing to commit yet (the usual signed-in request): the response is left as it is unless the session changes.
  if (core.sessions.needsCommit(context.session)) holdUntilCommitted(res, core, context, send);
  else context.session.onFirstChange(() => holdUntilCommitted(res, core, context, send));
}

function holdUntilCommitted<R extends NodeLikeResponse>(
  res: R,
  core: LogtoCore,
  context: LogtoRequestContext,
  send: (res: R, answer: PlainAnswer) => void,
): void {
  const own = res as unknown as Record<Sending, Method> & { [commitKey]: PendingCommit<R> };
  own[commitKey] = {
    core,
    context,
    send,
    writeHead: own.writeHead,
    flushHeaders: own.flushHeaders,
    write: own.write,
    end: own.end,
    held: undefined,
  };
  own.writeHead = interceptors.writeHead;
  own.flushHeaders = interceptors.flushHeaders;
  own.write = interceptors.write;
  own.end = interceptors.end;
}

/** The parts of a Node.js `ServerResponse` (or HTTP/2 `Http2ServerResponse`) {@link markPrivateBeforeHeaders} uses. */
export interface NodeHeaders {
  writeHead(statusCode: number, ...rest: never[]): unknown;
  getHeader(name: string): number | string | string[] | undefined;
}

type HeaderValue = number | string | readonly string[];

/**
 * Marks a Node.js response private to the user before the handler writes it, as every answer of a
 * signed-in page: `Cache-Control: private, no-store` unless the handler sets its own, and `Cookie`
 * in whatever `Vary` the handler or the framework sets. Both are added when the headers are sent
 * (Node.js sends them through `writeHead`, also from `write`, `end` and `flushHeaders`): a
 * response given its headers in one `writeHead` stays on Node's fast path.
 */
export function markPrivateBeforeHeaders(res: NodeHeaders): void {
  const writeHead = res.writeHead as (this: NodeHeaders, ...args: unknown[]) => unknown;
  res.writeHead = function writingPrivately(this: NodeHeaders, statusCode: number, ...rest: unknown[]) {
    // writeHead(statusCode[, statusMessage][, headers])
    const at = typeof rest[0] === 'string' ? 1 : 0;
    const given = rest[at];
    rest[at] = Array.isArray(given)
      ? privatePairs(this, given as readonly HeaderValue[])
      : privateRecord(this, given as Record<string, HeaderValue> | undefined);
    return Reflect.apply(writeHead, this, [statusCode, ...rest]);
  } as NodeHeaders['writeHead'];
}

/** `headers` (as given to `writeHead`, possibly nothing) with the private answer's headers. */
function privateRecord(
  res: NodeHeaders,
  headers: Record<string, HeaderValue> | undefined,
): Record<string, HeaderValue> {
  let cacheControl = false;
  let varyName = 'Vary';
  let vary: HeaderValue | undefined = res.getHeader('vary');
  for (const name in headers) {
    if (name.length === 13 && name.toLowerCase() === 'cache-control') cacheControl = true;
    else if (name.length === 4 && name.toLowerCase() === 'vary') {
      varyName = name;
      vary = headers[name];
    }
  }
  const marked = { ...headers };
  if (!cacheControl && res.getHeader('cache-control') === undefined) {
    marked['Cache-Control'] = privateCacheHeaders['Cache-Control'];
  }
  marked[varyName] = varyByCookie(headerText(vary));
  return marked;
}

/**
 * Flat `[name, value, …]` headers (as given to `writeHead`) with the private answer's headers. Node
 * replaces an earlier header of any name given here, and sends a repeated one as given.
 */
function privatePairs(res: NodeHeaders, pairs: readonly HeaderValue[]): HeaderValue[] {
  let cacheControl = false;
  const varies: string[] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const name = String(pairs[i]).toLowerCase();
    if (name === 'cache-control') cacheControl = true;
    else if (name === 'vary') varies.push(headerText(pairs[i + 1])!);
  }
  const marked = [...pairs];
  if (!cacheControl && res.getHeader('cache-control') === undefined) {
    marked.push('Cache-Control', privateCacheHeaders['Cache-Control']);
  }
  // Given here, they replace any earlier Vary; otherwise the earlier one is sent with Cookie in it.
  const given = varies.join(', ');
  if (varies.length === 0) marked.push('Vary', varyByCookie(headerText(res.getHeader('vary'))));
  else if (varyByCookie(given) !== given) marked.push('Vary', privateCacheHeaders.Vary);
  return marked;
}

function headerText(value: number | string | readonly string[] | undefined): string | undefined {
  return value === undefined ? undefined : typeof value === 'object' ? value.join(', ') : String(value);
}
