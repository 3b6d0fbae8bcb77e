/**
 * The runtime app as a Cloudflare Worker (module syntax), for workerd without `nodejs_compat`.
 * Bindings: `LOGTO_ENDPOINT`, `BASE_URL`.
 */
import { createRuntimeApp } from './app.ts';

interface Bindings {
  readonly LOGTO_ENDPOINT: string;
  readonly BASE_URL: string;
}

let app: ReturnType<typeof createRuntimeApp> | undefined;

export default {
  fetch(request: Request, env: Bindings): Response | Promise<Response> {
    app ??= createRuntimeApp({ endpoint: env.LOGTO_ENDPOINT, baseUrl: env.BASE_URL });
    return app.fetch(request);
  },
};
