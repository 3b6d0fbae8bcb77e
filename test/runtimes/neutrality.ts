/**
 * The transitive runtime-neutrality check: bundles an entry point as a web-standard runtime resolves
 * it (esbuild, platform `neutral`, the export conditions of workerd and browsers, never `node`),
 * following every import across the workspace packages and their dependencies, and reports what
 * ties the reached code to Node.js: `node:` (or bare built-in) imports, and free references to the
 * Node globals `Buffer`, `process`, `require`, `global`, `__dirname`, `__filename`.
 */
import { build } from 'esbuild';

/** The export conditions of a web-standard runtime (workerd's and a browser's), plus the sources' own. */
export const webConditions: readonly string[] = ['@logto-kit/source', 'workerd', 'worker', 'browser'];

const nodeGlobals = ['Buffer', 'process', 'require', 'global', '__dirname', '__filename'] as const;
const marker = '__NODE_ONLY_GLOBAL__';

/** What ties an entry point to Node.js, as `module: what` lines; empty when nothing does. */
export async function nodeOnlyReached(specifier: string, resolveDir: string): Promise<string[]> {
  const found: string[] = [];
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build({
      stdin: { contents: `export * from ${JSON.stringify(specifier)};`, resolveDir, loader: 'ts' },
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'neutral',
      conditions: [...webConditions],
      mainFields: ['module', 'main'],
      external: ['node:*'],
      logLevel: 'silent',
      // A free reference to a Node global becomes a marker that names it; bound names are left alone.
      define: Object.fromEntries(nodeGlobals.map((name) => [name, `${marker}.${name}`])),
    });
  } catch (error) {
    // A bare built-in (`crypto`, `buffer`) cannot be resolved on the neutral platform.
    const errors = (error as { errors?: { text: string; location?: { file: string } | null }[] }).errors ?? [];
    if (errors.length === 0) throw error;
    return errors.map((message) => `${message.location?.file ?? specifier}: ${message.text}`);
  }
  for (const [input, { imports }] of Object.entries(result.metafile?.inputs ?? {})) {
    for (const imported of imports) {
      if (imported.external) found.push(`${input}: imports ${imported.path}`);
    }
  }
  // The unminified bundle names each module in a `// path` line before its code.
  let module = specifier;
  for (const line of (result.outputFiles?.[0]?.text ?? '').split('\n')) {
    const heading = /^\/\/ (\S+)$/.exec(line);
    if (heading?.[1] !== undefined) module = heading[1];
    for (const match of line.matchAll(new RegExp(`${marker}\\.(\\w+)`, 'g'))) {
      found.push(`${module}: uses ${match[1]}`);
    }
  }
  return [...new Set(found)];
}
