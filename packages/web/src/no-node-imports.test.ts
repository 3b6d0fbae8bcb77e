import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nodeOnlyUses, shippedSources } from '../../client/src/test-support/runtime-neutrality.ts';

const sourceDir = fileURLToPath(new URL('.', import.meta.url));

// The scan itself is tested in @logto-kit/client's no-node-imports.test.ts.
describe('runtime neutrality of @logto-kit/web', () => {
  it('no shipped source imports a node: module, calls require or uses Buffer, process or __dirname', () => {
    assert.ok(shippedSources(sourceDir).length >= 10, 'the scan sees the package sources');
    assert.deepEqual(nodeOnlyUses(sourceDir), []);
  });
});
