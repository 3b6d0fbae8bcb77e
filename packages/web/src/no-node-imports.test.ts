import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const sourceDir = fileURLToPath(new URL('.', import.meta.url));

/** The package sources: every .ts under src/ except the tests themselves. */
function shippedSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return shippedSources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The source without its block comments: TSDoc examples may mention `process.env`. */
function code(file: string): string {
  return readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
}

/** Finds Node-only imports: `from 'node:…'`, `import('node:…')`, `require(`. */
export function nodeOnlyImports(source: string): string[] {
  const pattern = /\bfrom\s+['"]node:[^'"]+['"]|\bimport\s*\(\s*['"]node:|\brequire\s*\(|^\s*import\s+['"]node:/gm;
  return source.match(pattern) ?? [];
}

describe('runtime neutrality of @logto-kit/web', () => {
  it('no shipped source imports a node: module or calls require', () => {
    const files = shippedSources(sourceDir);
    assert.ok(files.length >= 10, 'the scan sees the package sources');
    const offenders = files.flatMap((file) =>
      nodeOnlyImports(code(file)).map((match) => `${relative(sourceDir, file)}: ${match}`),
    );
    assert.deepEqual(offenders, []);
  });

  it('no source uses the Node-only globals Buffer, process or __dirname', () => {
    const offenders = shippedSources(sourceDir).flatMap((file) =>
      (code(file).match(/\b(?:Buffer\.|process\.|__dirname|__filename)/g) ?? []).map(
        (match) => `${relative(sourceDir, file)}: ${match}`,
      ),
    );
    assert.deepEqual(offenders, []);
  });

  it('the scan recognizes every form of Node-only import', () => {
    assert.equal(nodeOnlyImports("import { readFile } from 'node:fs';").length, 1);
    assert.equal(nodeOnlyImports('import crypto from "node:crypto";').length, 1);
    assert.equal(nodeOnlyImports("const fs = await import('node:fs');").length, 1);
    assert.equal(nodeOnlyImports("const fs = require('fs');").length, 1);
    assert.equal(nodeOnlyImports("import 'node:process';").length, 1);
    assert.equal(nodeOnlyImports("import { jwtVerify } from 'jose';").length, 0);
  });
});
