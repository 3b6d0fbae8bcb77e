import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nodeOnlyUses, shippedSources } from '../../client/src/test-support/runtime-neutrality.ts';

const sourceDir = fileURLToPath(new URL('.', import.meta.url));

describe('runtime neutrality of @logto-kit/next', () => {
  it('no shipped source imports a node: module, calls require or uses Buffer, process or __dirname', () => {
    assert.ok(shippedSources(sourceDir).length >= 4, 'the scan sees the package sources');
    assert.deepEqual(nodeOnlyUses(sourceDir), []);
  });
});
