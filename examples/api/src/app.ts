// The protected API of Logto's "protect your API" guide, with @logto-kit/api and Express.
import { createAccessTokenVerifier } from '@logto-kit/api';
import { requireAuth } from '@logto-kit/express';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';

/** The API resource indicator registered in Logto for this API. */
export const shoppingApi = 'https://shopping.your-app.com/api';

export interface ApiAppOptions {
  /** The Logto endpoint, e.g. `http://localhost:3001` (the issuer is `<endpoint>/oidc`). */
  endpoint: string;
  /** The origin allowed to call the API from a browser (default: any; tokens are not cookies). */
  allowedOrigin?: string;
  /** The `fetch` used to load Logto's discovery document and keys (for tests). */
  fetch?: typeof fetch;
}

const products = [
  { id: 1, name: 'Logto T-shirt', price: 25 },
  { id: 2, name: 'Logto mug', price: 12 },
];

/** Creates the API app; `server.ts` listens on port 3002, tests on port 0. */
export function createApiApp({ endpoint, allowedOrigin = '*', fetch }: ApiAppOptions): Express {
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

  return app;
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
