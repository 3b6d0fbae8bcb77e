// Route protection on the edge runtime (Next.js runs `middleware.ts` there; `proxy.ts` would run
// the same function on Node.js): a signed-out visit to /protected/… goes to sign-in and back.
import { logto } from './lib/logto';

export const middleware = logto.proxy({ protect: ['/protected/:path*'] });

export const config = { matcher: ['/protected/:path*'] };
