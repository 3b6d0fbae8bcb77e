/**
 * The runtime app's web and API routes on Express or Fastify (`FRAMEWORK`), for the oldest
 * supported Node.js: `GET /`, `/protected`, `/token`, `/require-auth/read|write` (see app.ts).
 * Environment: `FRAMEWORK`, `PORT`, `LOGTO_ENDPOINT`. Prints `listening <url>` once it accepts
 * connections.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createAccessTokenVerifier } from '@logto-kit/api';
import {
  createLogto as createExpressLogto,
  authenticated as expressAuthenticated,
  requireAuth as expressRequireAuth,
  userOf,
} from '@logto-kit/express';
import {
  createLogto as createFastifyLogto,
  authenticated as fastifyAuthenticated,
  requireAuth as fastifyRequireAuth,
} from '@logto-kit/fastify';
import express from 'express';
import Fastify from 'fastify';
import { runtimeAppConfig, shoppingApi } from './app.ts';

const { FRAMEWORK: framework, PORT: port, LOGTO_ENDPOINT: endpoint } = process.env;
if (!port || !endpoint) throw new Error('PORT and LOGTO_ENDPOINT must be set');
const baseUrl = `http://127.0.0.1:${port}`;
const config = runtimeAppConfig({ endpoint, baseUrl });
const verifier = createAccessTokenVerifier({ endpoint }, { audience: shoppingApi });
const scopes = ['read', 'write'] as const;

if (framework === 'express') {
  const app = express();
  app.use(createExpressLogto(config).middleware);
  app.get('/', (_req, res) => {
    res.type('text').send('home');
  });
  app.get('/protected', expressAuthenticated({ shouldRedirect: true }), (req, res) => {
    res.type('text').send(`protected page of ${userOf(req)?.sub}`);
  });
  app.get('/token', expressAuthenticated({ resource: shoppingApi }), (req, res) => {
    res.json({ accessToken: req.accessToken });
  });
  for (const scope of scopes) {
    app.get(`/require-auth/${scope}`, expressRequireAuth({ verifier, scopes: [`shopping:${scope}`] }), (req, res) => {
      res.json({ sub: req.auth?.sub });
    });
  }
  const server = createServer(app).listen(Number(port), '127.0.0.1');
  await once(server, 'listening');
} else if (framework === 'fastify') {
  const app = Fastify();
  await app.register(createFastifyLogto(config).middleware);
  app.get('/', async (_request, reply) => reply.type('text/plain').send('home'));
  app.get('/protected', { preHandler: fastifyAuthenticated({ shouldRedirect: true }) }, async (request, reply) =>
    reply.type('text/plain').send(`protected page of ${request.user?.sub}`),
  );
  app.get('/token', { preHandler: fastifyAuthenticated({ resource: shoppingApi }) }, async (request) => ({
    accessToken: request.accessToken,
  }));
  for (const scope of scopes) {
    app.get(
      `/require-auth/${scope}`,
      { preHandler: fastifyRequireAuth({ verifier, scopes: [`shopping:${scope}`] }) },
      async (request) => ({ sub: request.auth?.sub }),
    );
  }
  await app.listen({ port: Number(port), host: '127.0.0.1' });
} else {
  throw new Error(`FRAMEWORK must be express or fastify, not ${framework}`);
}
console.log(`listening ${baseUrl}`);
