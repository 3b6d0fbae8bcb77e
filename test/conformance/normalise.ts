// Makes one server's answers comparable with the other's: what must differ between two servers
// (key ids, token values, generated ids, times, the server's own address) is replaced by a
// placeholder that keeps only its kind; everything else stays as it was answered.

/** Fields whose values are random per server or per request: only their kind is kept. */
const randomFields = new Set([
  'kid',
  'jti',
  'at_hash',
  'c_hash',
  'sid',
  'x',
  'y',
  'n',
  'code',
  'refresh_token',
  'access_token',
  'verificationId',
]);

/** Fields that are times: the unit (seconds or milliseconds) is kept, the value is not. */
const timeFields = new Set(['iat', 'exp', 'nbf', 'auth_time', 'created_at', 'updated_at']);

/** Fields holding space-separated scope lists: compared as sets. */
const scopeFields = new Set(['scope']);

export interface NormaliseContext {
  endpoint: string;
  /** Symbolic name → this server's id. */
  ids: Record<string, string>;
}

/** Returns `value` with server-specific parts replaced by placeholders (see the file comment). */
export function normalise(value: unknown, context: NormaliseContext, key?: string): unknown {
  if (typeof value === 'string') return normaliseString(value, context, key);
  if (typeof value === 'number' && key !== undefined && timeFields.has(key)) return timeKind(value);
  if (Array.isArray(value)) {
    // Order is not part of either server's contract (it follows database rows): lists compare sorted.
    const items = value.map((item) => normalise(item, context));
    return [...items].sort((a, b) => compareLeaves(sortedJson(a), sortedJson(b)));
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) out[name] = normalise(item, context, name);
    return out;
  }
  return value;
}

/** JSON with object keys sorted, so equal values sort equally whatever their key order. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

function compareLeaves(a: unknown, b: unknown): number {
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function normaliseString(value: string, context: NormaliseContext, key: string | undefined): unknown {
  const jwt = decodeJwt(value);
  if (jwt) {
    return { jwt: normalise(jwt, context), lifetime: lifetimeOf(jwt.payload) };
  }
  // An error body's `code` (`oidc.invalid_grant`, `session.not_found`) is compared; an authorization code is not.
  const errorCode = key === 'code' && /^[a-z_]+(\.[a-z_]+)+$/.test(value);
  if (key !== undefined && randomFields.has(key) && !errorCode) return value === '' ? '' : '<random>';
  if (key !== undefined && scopeFields.has(key)) return value.split(' ').filter(Boolean).sort().join(' ');
  let text = value
    .replaceAll(context.endpoint, '<endpoint>')
    .replaceAll(encodeURIComponent(context.endpoint), encodeURIComponent('<endpoint>'));
  // Longest first, so an id never replaces part of a longer one.
  for (const [symbol, id] of Object.entries(context.ids).sort(([, a], [, b]) => b.length - a.length)) {
    text = text.replaceAll(id, `<${symbol}>`);
  }
  return normaliseUrlParameters(text);
}

/** Random query parameters in URLs (authorization codes, interaction ids) become placeholders. */
function normaliseUrlParameters(text: string): string {
  return text
    .replace(/([?&](?:code|verificationId)=)[^&#\s"]+/g, '$1<random>')
    .replace(/(\/oidc\/auth\/|\/interaction\/)[A-Za-z0-9_-]{10,}/g, '$1<uid>');
}

function timeKind(value: number): string {
  if (value > 1e12) return '<milliseconds>';
  if (value > 1e9) return '<seconds>';
  return `<number ${value}>`;
}

function lifetimeOf(payload: Record<string, unknown>): number | null {
  return typeof payload.exp === 'number' && typeof payload.iat === 'number' ? payload.exp - payload.iat : null;
}

/** The header and payload of a compact JWS, or undefined when `value` is not one. */
export function decodeJwt(
  value: string,
): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  const parts = value.split('.');
  if (parts.length !== 3 || !parts.every((part) => /^[A-Za-z0-9_-]+$/.test(part))) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString()) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString()) as unknown;
    if (typeof header !== 'object' || header === null || !('alg' in header)) return undefined;
    if (typeof payload !== 'object' || payload === null) return undefined;
    return { header: header as Record<string, unknown>, payload: payload as Record<string, unknown> };
  } catch {
    return undefined;
  }
}
