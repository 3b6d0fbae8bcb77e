// The protected API of Logto's "protect your API" guide, with @logto-kit/api and Express.
import { createAccessTokenVerifier } from '@logto-kit/api';
import { LogtoError, M2mClient } from '@logto-kit/client';
import { requireAuth } from '@logto-kit/express';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';

/** The API resource indicator registered in Logto for this API. */
export const shoppingApi = 'https://shopping.your-app.com/api';

export interface ApiAppOptions {
  /** The Logto endpoint, e.g. `http://localhost:3001` (the issuer is `<endpoint>/oidc`). */
  endpoint: string;
  /** The origin allowed to call the API from a browser (default: any; tokens are not cookies). */
  allowedOrigin?: string;
  /** The `fetch` used to reach Logto: discovery, keys, machine-to-machine tokens (for tests). */
  fetch?: typeof fetch;
  /**
   * The machine-to-machine app this API calls other APIs as (the demo world's `sample-m2m`, role
   * `service` → `shopping:read`). Without it, `GET /api/featured-products` is not served.
   */
  m2m?: { appId: string; appSecret: string };
  /**
   * The products API that `GET /api/featured-products` calls (default: this server's own
   * `GET /api/products`, over the loopback address of the connection, never the Host header).
   */
  productsUrl?: string;
}

const products = [
  { id: 1, name: 'Logto T-shirt', price: 25 },
  { id: 2, name: 'Logto mug', price: 12 },
];

/** Creates the API app; `server.ts` listens on port 3002, tests on port 0. */
export function createApiApp({ endpoint, allowedOrigin = '*', fetch, m2m, productsUrl }: ApiAppOptions): Express {
  // One verifier for the whole API: it caches Logto's keys and the tokens it has verified.
  const verifier = createAccessTokenVerifier({ endpoint }, { audience: shoppingApi, fetch });

  const app = express();
  app.use(cors(allowedOrigin));
  app.use(express.json());

  app.get('/api/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/api/products', requireAuth({ verifier, scopes: ['shopping:read'] }), (req, res) => {
    res.json({ sub: req.auth?.sub, products });
  });

  app.post('/api/products', requireAuth({ verifier, scopes: ['shopping:write'] }), (req, res) => {
    const name = typeof req.body?.name === 'string' ? req.body.name : 'New product';
    res.status(201).json({ sub: req.auth?.sub, product: { id: products.length + 1, name } });
  });

  app.get(
    '/api/organizations/:id/projects',
    requireAuth({ verifier, organizationId: (req) => req.params.id, scopes: ['read:projects'] }),
    (req, res) => {
      const organizationId = req.auth?.organizationId;
      res.json({
        sub: req.auth?.sub,
        organizationId,
        projects: [{ id: `${organizationId}-website`, name: 'Website' }],
      });
    },
  );

  if (m2m) {
    // One M2M client for the whole API: it caches its tokens and asks once for concurrent requests.
    const m2mClient = new M2mClient({ endpoint, ...m2m }, { fetch });
    app.get('/api/featured-products', async (req, res) => {
      const url = productsUrl ?? `http://127.0.0.1:${req.socket.localPort}/api/products`;
      try {
        const upstream = await callAsService(m2mClient, url);
        if (!upstream.ok) {
          res.status(502).json({ code: 'upstream_failed', message: `The products API answered ${upstream.status}.` });
          return;
        }
        const body = (await upstream.json()) as { sub: string; products: unknown[] };
        res.json({ via: body.sub, products: body.products.slice(0, 1) });
      } catch (error) {
        const message = error instanceof LogtoError ? `${error.code}: ${error.message}` : String(error);
        res.status(502).json({ code: 'upstream_failed', message });
      }
    });
  }

  return app;
}

/** Calls the products API with a machine-to-machine token; a refused token is replaced once. */
async function callAsService(m2mClient: M2mClient, url: string): Promise<globalThis.Response> {
  const request = { resource: shoppingApi, scopes: ['shopping:read'] };
  const token = await m2mClient.getAccessToken(request);
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 401) return response;
  await response.body?.cancel();
  const fresh = await m2mClient.getAccessToken(request, { rejected: token });
  return fetch(url, { headers: { authorization: `Bearer ${fresh}` } });
}

// Browsers send the Authorization header only after a CORS preflight that allows it.
function cors(allowedOrigin: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Access-Control-Allow-Origin', allowedOrigin);
    res.setHeader('Vary', 'Origin');
    if (req.method !== 'OPTIONS') return next();
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  };
}
