// The package.json that ships. In the repository every export carries an `@logto-kit/source`
// condition pointing at `./src/*.ts` (the repository's scripts run the TypeScript sources with
// `--conditions=@logto-kit/source`); the sources are not packed, so the condition must not ship.
// So does each target of a package's `imports` (`{ node: { source, default }, default: { … } }`
// for a module that differs between runtimes), which ships as `{ node: "./dist/…", default: … }`.
// Each package runs `strip` as its `prepack` script and `restore` as its `postpack` script.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The export condition that points at the TypeScript sources inside the repository. */
export const sourceCondition = '@logto-kit/source';

type Conditions = Record<string, string>;
/** A package `imports` target: a runtime condition's own source and built file, or the built file alone. */
type ImportTargets = Record<string, Conditions | string>;
type Manifest = { exports?: Record<string, Conditions>; imports?: Record<string, ImportTargets> } & Record<
  string,
  unknown
>;

/** The manifest without the source condition (what a consumer of the tarball reads). */
export function stripSourceCondition(manifest: Manifest): Manifest {
  const exports: Record<string, Conditions> = {};
  for (const [subpath, conditions] of Object.entries(manifest.exports ?? {})) {
    const { [sourceCondition]: _source, ...shipped } = conditions;
    exports[subpath] = shipped;
  }
  if (manifest.imports === undefined) return { ...manifest, exports };
  const imports: Record<string, ImportTargets> = {};
  for (const [specifier, targets] of Object.entries(manifest.imports)) {
    imports[specifier] = Object.fromEntries(
      Object.entries(targets).map(([condition, target]) => [
        condition,
        typeof target === 'string' ? target : (target.default ?? ''),
      ]),
    );
  }
  return { ...manifest, exports, imports };
}

/** The repository's manifest again: each `./dist/<name>.js` export gets its `./src/<name>.ts` source first. */
export function restoreSourceCondition(manifest: Manifest): Manifest {
  const exports: Record<string, Conditions> = {};
  for (const [subpath, conditions] of Object.entries(manifest.exports ?? {})) {
    const target = /^\.\/dist\/(.+)\.js$/.exec(conditions.default ?? '');
    const { [sourceCondition]: _source, ...rest } = conditions;
    exports[subpath] = target ? { [sourceCondition]: `./src/${target[1]}.ts`, ...rest } : rest;
  }
  if (manifest.imports === undefined) return { ...manifest, exports };
  const imports: Record<string, ImportTargets> = {};
  for (const [specifier, targets] of Object.entries(manifest.imports)) {
    imports[specifier] = Object.fromEntries(
      Object.entries(targets).map(([condition, built]) => {
        if (typeof built !== 'string') return [condition, built];
        const target = /^\.\/dist\/(.+)\.js$/.exec(built);
        return [condition, target ? { [sourceCondition]: `./src/${target[1]}.ts`, default: built } : built];
      }),
    );
  }
  return { ...manifest, exports, imports };
}

function rewrite(directory: string, change: (manifest: Manifest) => Manifest): void {
  const file = join(directory, 'package.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  writeFileSync(file, `${JSON.stringify(change(manifest), null, 2)}\n`);
}

if (import.meta.main) {
  const [command] = process.argv.slice(2);
  if (command === 'strip') rewrite(process.cwd(), stripSourceCondition);
  else if (command === 'restore') rewrite(process.cwd(), restoreSourceCondition);
  else {
    console.error('usage: publish-manifest.ts strip|restore   (run in a package directory)');
    process.exit(2);
  }
}
