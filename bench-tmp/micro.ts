import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { signedInCookie, listen } from '../bench/http-load.ts';

const { default: express } = await import('express');
const { startDevServer } = await import('@logto-kit/dev-server');
const { demoWorldFor } = await import('@logto-kit/dev-server/testing');
const kit = await import('@logto-kit/express');
const products = [{ id: 1, name: 'Logto T-shirt', price: 25 }];
const plain = express();
plain.get('/me', (_req, res) => { res.json({ sub: 'anonymous', products }); });
const web = await listen((_q, s) => s.end());
const dev = await startDevServer({ port: 0, memory: true, config: demoWorldFor(web.url) });
const app = express();
app.use(kit.createLogto({ endpoint: dev.url.replace(/\/+$/, ''), appId: 'sample-web-app', appSecret: 'sample-web-app-secret', baseUrl: web.url, session: { secrets: ['adapters-bench-session-secret-0123456789abcdef'] } }).middleware);
app.get('/me', kit.authenticated(), (req, res) => { res.json({ sub: kit.userOf(req)?.sub, products }); });
web.set(app);
const cookie = await signedInCookie(web.url);
await dev.close();

function run(handler: any, headers: Record<string, string>, n: number): Promise<number> {
  return new Promise((resolve) => {
    let done = 0;
    const start = process.cpuUsage();
    const one = () => {
      const req = new IncomingMessage(new Socket());
      req.method = 'GET'; req.url = '/me'; req.headers = { host: 'x', ...headers };
      const res = new ServerResponse(req);
      const sock = new Duplex({ read() {}, write(_c, _e, cb) { cb(); }, writev(_c, cb) { cb(); } });
      res.assignSocket(sock as unknown as Socket);
      res.on('finish', () => { if (++done === n) { const u = process.cpuUsage(start); resolve((u.user + u.system) / n); } else one(); });
      handler(req, res);
    };
    one();
  });
}
const cookieHeader = { cookie: cookie + `; x=${Math.random()}`.slice(0,0) };
for (let round = 0; round < 4; round++) {
  const a = await run(plain, {}, 20000);
  const b = await run(app, cookieHeader, 20000);
  console.log(`plain ${a.toFixed(2)} µs, logto ${b.toFixed(2)} µs, adds ${(b - a).toFixed(2)} µs`);
}
process.exit(0);
