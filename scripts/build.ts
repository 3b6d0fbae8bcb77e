// Compiles each published package to dist/ (JavaScript + declarations, source maps that carry
// their sources), in dependency order. Each dist/ is emptied first, so nothing stale is packed.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const order = ['client', 'web', 'dev-server', 'api', 'express', 'hono', 'fastify', 'next'];

for (const name of order) {
  rmSync(`${root}packages/${name}/dist`, { recursive: true, force: true });
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
