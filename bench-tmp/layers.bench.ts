import { bestOfRounds, listen, serveWhenChild, startServerChild, signedInCookie, type LoadTarget } from '../bench/http-load.ts';

if (!(await serveWhenChild(serve))) await measure();

async function serve(): Promise<LoadTarget[]> {
  const { default: express } = await import('express');
  const { startDevServer } = await import('@logto-kit/dev-server');
  const { demoWorldFor } = await import('@logto-kit/dev-server/testing');
  const kit = await import('@logto-kit/express');
  const products = [{ id: 1, name: 'Logto T-shirt', price: 25 }];
  const plain = express();
  plain.get('/me', (_req, res) => { res.json({ sub: 'anonymous', products }); });
  const oneUse = express();
  oneUse.use((_req, _res, next) => next());
  oneUse.get('/me', (_req, res) => { res.json({ sub: 'anonymous', products }); });
  const two = express();
  two.use((_req, _res, next) => next());
  two.get('/me', (_req, _res, next) => next(), (_req, res) => { res.json({ sub: 'anonymous', products }); });
  const web = await listen((_q, s) => s.end());
  const dev = await startDevServer({ port: 0, memory: true, config: demoWorldFor(web.url) });
  const app = express();
  app.use(kit.createLogto({ endpoint: dev.url.replace(/\/+$/, ''), appId: 'sample-web-app', appSecret: 'sample-web-app-secret', baseUrl: web.url, session: { secrets: ['adapters-bench-session-secret-0123456789abcdef'] } }).middleware);
  app.get('/me', kit.authenticated(), (req, res) => { res.json({ sub: kit.userOf(req)?.sub, products }); });
  web.set(app);
  const a = await listen(plain), b = await listen(oneUse), c = await listen(two);
  return [
    { title: 'plain', url: `${a.url}/me` },
    { title: 'use(noop)', url: `${b.url}/me` },
    { title: 'use(noop)+route noop', url: `${c.url}/me` },
    { title: 'logto', url: `${web.url}/me`, headers: { cookie: await signedInCookie(web.url) } },
  ];
}

async function measure() {
  const { child, targets } = await startServerChild<LoadTarget[]>(import.meta.url);
  try { await bestOfRounds(child, targets); } finally { child.kill('SIGTERM'); }
}
