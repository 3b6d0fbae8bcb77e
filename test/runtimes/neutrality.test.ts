import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nodeOnlyReached } from './neutrality.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

// The packages whose READMEs promise web-standard APIs only. `@logto-kit/api` resolves here to its
// Web Crypto layer, as on every runtime without the `node` condition.
const webStandard = ['@logto-kit/client', '@logto-kit/web', '@logto-kit/hono', '@logto-kit/api'];

describe('transitive runtime neutrality', () => {
  for (const entry of webStandard) {
    it(`${entry}: nothing reached from it, across packages, imports a node: module or uses a Node global`, async () => {
      assert.deepEqual(await nodeOnlyReached(entry, root), []);
    });
  }

  it('@logto-kit/next: nothing reached from it but Next.js itself (whose bundler builds it for the edge runtime) imports a node: module or uses a Node global', async () => {
    const found = await nodeOnlyReached('@logto-kit/next', root);
    assert.deepEqual(
      found.filter((line) => !line.startsWith('node_modules/next/')),
      [],
    );
    assert.ok(found.length > 0, 'the scan reaches next/headers, next/navigation and next/server');
  });

  it('reports the node: imports and Node globals reached from a Node-only package', async () => {
    const found = await nodeOnlyReached('@logto-kit/dev-server', root);
    assert.ok(found.includes('packages/dev-server/src/keys.ts: imports node:crypto'), found.join('\n'));
    assert.ok(found.includes('packages/dev-server/src/csrf.ts: uses Buffer'), found.join('\n'));
    assert.ok(
      found.some((line) => line.startsWith('node_modules/oidc-provider/')),
      'it follows imports into dependencies',
    );
  });
});
