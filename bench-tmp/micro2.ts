import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { signedInCookie, listen } from '../bench/http-load.ts';

const { default: express } = await import('express');
const { Hono } = await import('hono');
const { getRequestListener } = await import('@hono/node-server');
const { default: Fastify } = await import('fastify');
const { startDevServer } = await import('@logto-kit/dev-server');
const { demoWorldFor } = await import('@logto-kit/dev-server/testing');
const kit = await import('@logto-kit/express');
const honoKit = await import('@logto-kit/hono');
const fastifyKit = await import('@logto-kit/fastify');
const products = [{ id: 1, name: 'Logto T-shirt', price: 25 }];
const ew = await listen((_q, s) => s.end()), hw = await listen((_q, s) => s.end()), fw = await listen((_q, s) => s.end());
const dev = await startDevServer({ port: 0, memory: true, config: demoWorldFor(ew.url, hw.url, fw.url) });
const cfg = (baseUrl: string) => ({ endpoint: dev.url.replace(/\/+$/, ''), appId: 'sample-web-app', appSecret: 'sample-web-app-secret', baseUrl, session: { secrets: ['adapters-bench-session-secret-0123456789abcdef'] } });
const which = process.argv[2] ?? 'all';
const variants: Array<[string, any, boolean]> = [];
if (which === 'all' || which === 'express') {
  const plain = express(); plain.get('/me', (_req, res) => { res.json({ sub: 'anonymous', products }); });
  const noop = express(); noop.use((_q, _s, n) => n()); noop.get('/me', (_q, _s, n) => n(), (_req, res) => { res.json({ sub: 'anonymous', products }); });
  const app = express(); app.use(kit.createLogto(cfg(ew.url)).middleware); app.get('/me', kit.authenticated(), (req, res) => { res.json({ sub: kit.userOf(req)?.sub, products }); });
  ew.set(app);
  variants.push(['express plain', plain, false], ['express noop mw', noop, false], ['express logto', app, true]);
}
if (which === 'all' || which === 'hono') {
  const plain = new Hono(); plain.get('/me', (c) => c.json({ sub: 'anonymous', products }));
  const noop = new Hono(); noop.use(async (_c, next) => { await next(); }); noop.get('/me', async (_c, next) => { await next(); }, (c) => c.json({ sub: 'anonymous', products }));
  const app = new Hono<any>(); app.use(honoKit.createLogto(cfg(hw.url)).middleware); app.get('/me', honoKit.authenticated(), (c: any) => c.json({ sub: c.get('user').sub, products }));
  hw.set(getRequestListener(app.fetch));
  const hdr = new Hono(); hdr.use(async (_c, next) => { await next(); }); hdr.get('/me', async (c, next) => { c.header('Cache-Control', 'private, no-store'); c.header('Vary', 'Cookie', { append: true }); await next(); }, (c) => c.json({ sub: 'anonymous', products }));
  const mut = new Hono(); mut.use(async (_c, next) => { await next(); }); mut.get('/me', async (c, next) => { await next(); c.res.headers.set('Cache-Control', 'private, no-store'); c.res.headers.set('Vary', 'Cookie'); }, (c) => c.json({ sub: 'anonymous', products }));
  variants.push(['hono plain', getRequestListener(plain.fetch), false], ['hono noop mw', getRequestListener(noop.fetch), false], ['hono noop+c.header', getRequestListener(hdr.fetch), false], ['hono noop+mutate', getRequestListener(mut.fetch), false], ['hono logto', getRequestListener(app.fetch), true]);
}
if (which === 'all' || which === 'fastify') {
  const plain = Fastify(); plain.get('/me', async () => ({ sub: 'anonymous', products })); await plain.ready();
  const noop = Fastify(); noop.addHook('onRequest', (_q, _r, d) => d()); noop.addHook('onSend', (_q, _r, p, d) => d(null, p)); noop.get('/me', { preHandler: (_q, _r, d) => d() }, async () => ({ sub: 'anonymous', products })); await noop.ready();
  const app = Fastify(); await app.register(fastifyKit.createLogto(cfg(fw.url)).middleware); app.get('/me', { preHandler: fastifyKit.authenticated() }, async (request) => ({ sub: request.user?.sub, products })); await app.ready();
  fw.set((q, s) => app.routing(q, s));
  variants.push(['fastify plain', (q: any, s: any) => plain.routing(q, s), false], ['fastify noop hooks', (q: any, s: any) => noop.routing(q, s), false], ['fastify logto', (q: any, s: any) => app.routing(q, s), true]);
}
const cookies: Record<string, string> = {};
for (const [name, , signed] of variants) if (signed) cookies[name] = await signedInCookie(name.startsWith('express') ? ew.url : name.startsWith('hono') ? hw.url : fw.url);
await dev.close();

function run(handler: any, headers: Record<string, string>, n: number): Promise<number> {
  return new Promise((resolve) => {
    let done = 0;
    const start = process.cpuUsage();
    const one = () => {
      const sock = new Duplex({ read() {}, write(_c, _e, cb) { cb(); }, writev(_c, cb) { cb(); } });
      const req = new IncomingMessage(sock as unknown as Socket);
      req.method = 'GET'; req.url = '/me'; req.headers = { host: '127.0.0.1', ...headers };
      req.rawHeaders = Object.entries(req.headers).flat() as string[];
      req.push(null);
      const res = new ServerResponse(req);
      res.assignSocket(sock as unknown as Socket);
      res.on('finish', () => { if (++done === n) { const u = process.cpuUsage(start); resolve((u.user + u.system) / n); } else setImmediate(one); });
      handler(req, res);
    };
    one();
  });
}
const results = new Map<string, number>();
for (let round = 0; round < Number(process.argv[3] ?? 5); round++) {
  for (const [name, handler, signed] of variants) {
    const t = await run(handler, signed ? { cookie: cookies[name]! } : {}, 10000);
    results.set(name, Math.min(results.get(name) ?? Infinity, t));
  }
}
for (const [name, t] of results) console.log(name.padEnd(22), t.toFixed(2), 'µs');
process.exit(0);
