import type Koa from 'koa';

/** oidc-provider's own limit for request bodies. */
const maxBodyBytes = 56 * 1024;

/**
 * As Logto: `resource=a,b` in an authorization request's query means two resources
 * (`resource=a&resource=b`).
 */
export async function splitCommaSeparatedResources(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  const resource = ctx.query.resource;
  if (resource !== undefined) {
    const values = (Array.isArray(resource) ? resource : [resource]).flatMap((value) => value.split(','));
    ctx.query = { ...ctx.query, resource: values };
  }
  await next();
}

/**
 * As Logto: a JSON body is accepted wherever oidc-provider reads a form body (token, revocation,
 * introspection), read as if it had been sent form-encoded.
 */
export async function acceptJsonTokenRequests(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  if (ctx.method === 'POST' && ctx.is('application/json') && ctx.req.readable) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += buffer.length;
      if (size > maxBodyBytes) ctx.throw(413, 'request entity too large');
      chunks.push(buffer);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      parsed = {};
    }
    const form: Record<string, string | string[]> = {};
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      for (const [name, value] of Object.entries(parsed)) {
        if (typeof value === 'string') form[name] = value;
        else if (Array.isArray(value)) form[name] = value.filter((item): item is string => typeof item === 'string');
      }
    }
    ctx.req.headers['content-type'] = 'application/x-www-form-urlencoded';
    // oidc-provider reads an already-read body from `req.body`.
    (ctx.req as typeof ctx.req & { body?: unknown }).body = form;
  }
  await next();
}
