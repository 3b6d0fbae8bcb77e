// Compiles each published package to dist/ (JavaScript + declarations), in dependency order.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const order = ['client', 'web', 'dev-server', 'api', 'express', 'hono', 'fastify'];

for (const name of order) {
  const result = spawnSync('tsc', ['-p', `packages/${name}/tsconfig.build.json`], {
    cwd: root,
    stdio: 'inherit',
    shell: false,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    console.error(`build failed in packages/${name}`);
    process.exit(result.status ?? 1);
  }
}
