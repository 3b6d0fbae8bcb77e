// `npm start`: the demo world on one machine. The identity server on 3001 (SQLite data in
// `.logto-kit/`), the protected API on 3002 and the web app on 3000, all in this process.
// Ctrl-C stops all three.
import { once } from 'node:events';
import type { Server } from 'node:http';
import { startDevServer } from '@logto-kit/dev-server';
import type { Express } from 'express';
import { createApiApp } from '../examples/api/src/app.ts';
import { createWebApp, devSessionSecret } from '../examples/web-app/src/app.ts';

const ports = { identity: 3001, api: 3002, web: 3000 };
const endpoint = `http://localhost:${ports.identity}`;
const apiUrl = `http://localhost:${ports.api}`;
const webUrl = `http://localhost:${ports.web}`;

async function listen(app: Express, port: number): Promise<Server> {
  const server = app.listen(port);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      throw error;
    }),
  ]);
  return server;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

function portInUse(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, port } = error as { code?: unknown; port?: unknown };
  return code === 'EADDRINUSE' ? (typeof port === 'number' ? port : -1) : undefined;
}

function exitOnTakenPort(error: unknown): never {
  const port = portInUse(error);
  if (port === undefined) throw error;
  console.error(
    `✖ ${port > 0 ? `Port ${port} is` : 'A demo port (3000, 3001 or 3002) is'} already in use: is the demo (or another server) already running? Stop it and run npm start again.`,
  );
  process.exit(1);
}

const devServer = await startDevServer({ port: ports.identity }).catch(exitOnTakenPort);
const servers: Server[] = [];
try {
  const m2m = { appId: 'sample-m2m', appSecret: 'sample-m2m-secret' };
  servers.push(await listen(createApiApp({ endpoint, m2m }), ports.api));
  const sessionSecret = process.env.SESSION_SECRET;
  servers.push(
    await listen(
      createWebApp({
        endpoint,
        appId: 'sample-web-app',
        appSecret: 'sample-web-app-secret',
        baseUrl: webUrl,
        apiUrl,
        sessionSecrets: [sessionSecret ?? devSessionSecret],
      }),
      ports.web,
    ),
  );
} catch (error) {
  await Promise.all(servers.map(close));
  await devServer.close();
  exitOnTakenPort(error);
}

console.log(`
logto-kit demo is running:

  Web app           ${webUrl}
  Identity server   ${endpoint}   (issuer ${devServer.issuer})
  Protected API     ${apiUrl}

Demo accounts:   demo / demo-password     alice / alice-password     admin / admin-password (may add products)
${process.env.SESSION_SECRET ? '' : '\n⚠ The web app seals sessions with the published development secret; set SESSION_SECRET outside this demo.\n'}
Press Ctrl-C to stop.`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(servers.map(close));
  await devServer.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
