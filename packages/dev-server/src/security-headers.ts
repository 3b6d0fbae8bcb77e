import type { Middleware } from 'koa';

/**
 * The security headers Logto sends on every response of its API and OIDC endpoints (Helmet's,
 * as Logto configures them). Pages of the dev server replace some with stricter ones
 * (`pages/layout.ts`: no framing at all, a content security policy).
 */
export const securityHeaders: Readonly<Record<string, string>> = {
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

/**
 * Sets {@link securityHeaders} on every response before anything else answers, including
 * oidc-provider, which writes to the Node response itself.
 */
export function addSecurityHeaders(): Middleware {
  return async (ctx, next) => {
    for (const [name, value] of Object.entries(securityHeaders)) ctx.res.setHeader(name, value);
    await next();
  };
}
