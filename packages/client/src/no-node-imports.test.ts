import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nodeOnlyGlobals, nodeOnlyImports, nodeOnlyUses, shippedSources } from './test-support/runtime-neutrality.ts';

const sourceDir = fileURLToPath(new URL('.', import.meta.url));

describe('runtime neutrality', () => {
  it('no shipped source imports a node: module, calls require or uses Buffer, process or __dirname', () => {
    assert.ok(shippedSources(sourceDir).length >= 10, 'the scan sees the package sources');
    assert.deepEqual(nodeOnlyUses(sourceDir), []);
  });

  it('the scan recognizes every form of Node-only import and global', () => {
    assert.equal(nodeOnlyImports("import { readFile } from 'node:fs';").length, 1);
    assert.equal(nodeOnlyImports('import crypto from "node:crypto";').length, 1);
    assert.equal(nodeOnlyImports("const fs = await import('node:fs');").length, 1);
    assert.equal(nodeOnlyImports("const fs = require('fs');").length, 1);
    assert.equal(nodeOnlyImports("import 'node:process';").length, 1);
    assert.equal(nodeOnlyImports("import { jwtVerify } from 'jose';").length, 0);
    assert.equal(nodeOnlyGlobals("Buffer.from('x'); process.env.X;").length, 2);
    assert.equal(nodeOnlyGlobals('new TextEncoder().encode(x);').length, 0);
  });
});
