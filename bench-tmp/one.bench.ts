import { bestOfRounds, listen, serveWhenChild, startServerChild, signedInCookie, type LoadTarget } from '../bench/http-load.ts';

if (!(await serveWhenChild(serve))) await measure();

async function serve(): Promise<LoadTarget[]> {
  const which = process.env.ONE ?? 'hono-page';
  const { Hono } = await import('hono');
  const { getRequestListener } = await import('@hono/node-server');
  const { default: express } = await import('express');
  const { startDevServer } = await import('@logto-kit/dev-server');
  const { demoWorldFor } = await import('@logto-kit/dev-server/testing');
  const honoKit = await import('@logto-kit/hono');
  const kit = await import('@logto-kit/express');
  const products = [{ id: 1, name: 'Logto T-shirt', price: 25 }];
  const web = await listen((_q, s) => s.end());
  const dev = await startDevServer({ port: 0, memory: true, config: demoWorldFor(web.url) });
  const cfg = { endpoint: dev.url.replace(/\/+$/, ''), appId: 'sample-web-app', appSecret: 'sample-web-app-secret', baseUrl: web.url, session: { secrets: ['adapters-bench-session-secret-0123456789abcdef'] } };
  if (which === 'hono-page') {
    const app = new Hono<any>(); app.use(honoKit.createLogto(cfg).middleware); app.get('/me', honoKit.authenticated(), (c: any) => c.json({ sub: c.get('user').sub, products }));
    web.set(getRequestListener(app.fetch));
  } else if (which === 'express-page') {
    const app = express(); app.use(kit.createLogto(cfg).middleware); app.get('/me', kit.authenticated(), (req, res) => { res.json({ sub: kit.userOf(req)?.sub, products }); });
    web.set(app);
  }
  const cookie = await signedInCookie(web.url);
  await dev.close();
  if (which === 'hono-plain') { const p = new Hono(); p.get('/me', (c) => c.json({ sub: 'anonymous', products })); web.set(getRequestListener(p.fetch)); }
  if (which === 'express-plain') { const p = express(); p.get('/me', (_q, res) => { res.json({ sub: 'anonymous', products }); }); web.set(p); }
  return [{ title: which, url: `${web.url}/me`, headers: { cookie } }];
}

async function measure() {
  const { child, targets } = await startServerChild<LoadTarget[]>(import.meta.url);
  try { await bestOfRounds(child, targets); } finally { child.kill('SIGTERM'); }
}
