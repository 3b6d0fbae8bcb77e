import type Koa from 'koa';

/**
 * Logto's phrase for each OAuth error (`message` of its error bodies), as Logto words it. Logto
 * interpolates only `code`, so other placeholders stay as written.
 */
const phrases: Readonly<Record<string, string>> = {
  'oidc.aborted': 'The end-user aborted interaction.',
  'oidc.invalid_scope': 'Invalid scope: {{error_description}}.',
  'oidc.invalid_token': 'Invalid token provided.',
  'oidc.invalid_client_metadata': 'Invalid client metadata provided.',
  'oidc.insufficient_scope': 'Token missing scope `{{scope}}`.',
  'oidc.invalid_request': 'Request is invalid.',
  'oidc.invalid_grant': 'Grant request is invalid.',
  'oidc.invalid_issuer': 'Invalid issuer.',
  'oidc.invalid_redirect_uri': "`redirect_uri` did not match any of the client's registered `redirect_uris`.",
  'oidc.access_denied': 'Access denied.',
  'oidc.invalid_target': 'Invalid resource indicator.',
  'oidc.unsupported_grant_type': 'Unsupported `grant_type` requested.',
  'oidc.unsupported_response_mode': 'Unsupported `response_mode` requested.',
  'oidc.unsupported_response_type': 'Unsupported `response_type` requested.',
  'oidc.server_error': 'An unknown OIDC error occurred. Please try again later.',
  'session.not_found': 'Session not found. Please go back and sign in again.',
};

/** Where Logto points a client for more about an error (`error_uri`). */
const errorUris: Readonly<Record<string, string>> = { invalid_grant: 'https://openid.sh/debug/invalid_grant' };

/** Logto reports an expired or missing sign-in session as `session.not_found`. */
function isSessionNotFound(description: unknown): boolean {
  return (
    typeof description === 'string' &&
    ((description.includes('session') && description.includes('not found')) ||
      description.includes('authorization request has expired'))
  );
}

/**
 * The fields Logto adds to every OAuth error body: `code` (`oidc.<error>`, or `session.not_found`),
 * `message` (its phrase for the code, not the description) and `error_uri` where Logto has one.
 */
export function logtoErrorFields(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const { error, error_description: description } = body;
  if (typeof error !== 'string' || 'code' in body) return undefined;
  const code = isSessionNotFound(description) ? 'session.not_found' : `oidc.${error}`;
  const uri = errorUris[error];
  return {
    code,
    message: phrases[code] ?? `An OIDC error occurred: ${code}.`,
    ...(uri === undefined ? {} : { error_uri: uri }),
    ...body,
  };
}

/**
 * Koa middleware (for oidc-provider) that answers errors as Logto's server does: {@link logtoErrorFields}
 * in JSON error bodies, and the answers of the oidc-provider release Logto runs where they differ
 * from this one's: userinfo without a token is 400 `invalid_request`; introspecting a JWT access
 * token says `{"active":false}`.
 */
export async function addLogtoErrorFields(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  await next();
  const route = (ctx as Koa.Context & { oidc?: { route?: string } }).oidc?.route;
  const answered = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
  if (route === 'userinfo' && answered?.error_description === 'no access token provided') {
    ctx.status = 400;
    ctx.body = { ...answered, error: 'invalid_request' };
  } else if (route === 'introspection' && answered?.error === 'unsupported_token_type') {
    ctx.status = 200;
    ctx.body = { active: false };
    return;
  }
  const body: unknown = ctx.body;
  if (ctx.status < 400 || typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const withFields = logtoErrorFields(body as Record<string, unknown>);
  if (withFields) ctx.body = withFields;
}
