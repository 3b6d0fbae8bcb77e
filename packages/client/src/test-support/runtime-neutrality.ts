/**
 * Finds what ties shipped sources to Node: `node:` imports, `require`, and the Node-only globals
 * `Buffer`, `process`, `__dirname`. Packages that must run on any web-standard runtime (`@logto-kit/client`,
 * `@logto-kit/web`, `@logto-kit/hono`) test their sources with it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The package sources under `dir`: every .ts except tests and test support. */
export function shippedSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test-support' ? [] : shippedSources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Node-only imports in `source`: `from 'node:…'`, `import('node:…')`, `require(`, `import 'node:…'`. */
export function nodeOnlyImports(source: string): string[] {
  const pattern = /\bfrom\s+['"]node:[^'"]+['"]|\bimport\s*\(\s*['"]node:|\brequire\s*\(|^\s*import\s+['"]node:/gm;
  return source.match(pattern) ?? [];
}

/** Uses of the Node-only globals in `source`. */
export function nodeOnlyGlobals(source: string): string[] {
  return source.match(/\b(?:Buffer\.|process\.|__dirname|__filename)/g) ?? [];
}

/** Every Node-only import or global in the shipped sources under `dir`, as `file: match`; comments are skipped. */
export function nodeOnlyUses(dir: string): string[] {
  return shippedSources(dir).flatMap((file) => {
    // TSDoc examples may mention `process.env`.
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    return [...nodeOnlyImports(code), ...nodeOnlyGlobals(code)].map((match) => `${relative(dir, file)}: ${match}`);
  });
}
