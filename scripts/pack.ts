// Packs the published packages as npm would publish them: each from a staging copy of the files
// it ships, with the manifest that ships (no `@logto-kit/source` condition, no pack scripts) and,
// for a release, the new version in its own `version` and in its ranges on the other packages.
// The working tree is only read. Used by `npm run release` and by the packaging tests.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripSourceCondition } from './publish-manifest.ts';

/** The repository root. */
export const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

/** The published packages (folders under `packages/`), in dependency order. */
export const publishedPackages = ['client', 'web', 'dev-server', 'api', 'express', 'hono', 'fastify', 'next'] as const;

/** A package manifest, as far as packing reads and writes it. */
export type Manifest = {
  name: string;
  version: string;
  files?: string[];
  scripts?: Record<string, string>;
} & Record<string, unknown>;

/** One packed package. */
export interface PackedPackage {
  /** The package name, e.g. `@logto-kit/client`. */
  name: string;
  version: string;
  /** The absolute path of its `.tgz`. */
  tarball: string;
  /** The `package.json` inside the tarball. */
  manifest: Manifest;
}

const dependencyFields = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

/** The manifest with every range on a `@logto-kit/*` package set to `^version`. */
export function withInternalRanges<T extends Record<string, unknown>>(manifest: T, version: string): T {
  const next: Record<string, unknown> = { ...manifest };
  for (const field of dependencyFields) {
    const dependencies = manifest[field] as Record<string, string> | undefined;
    if (!dependencies) continue;
    next[field] = Object.fromEntries(
      Object.entries(dependencies).map(([name, range]) => [
        name,
        name.startsWith('@logto-kit/') ? `^${version}` : range,
      ]),
    );
  }
  return next as T;
}

/** A published package's manifest at `version`: its own version and its ranges on the others. */
export function withVersion(manifest: Manifest, version: string): Manifest {
  return { ...withInternalRanges(manifest, version), version };
}

/** The manifest that ships: no source condition, no `prepack`/`postpack` (they only serve the tree). */
export function shippedManifest(manifest: Manifest, version?: string): Manifest {
  const shipped = stripSourceCondition(manifest) as Manifest;
  const { prepack: _prepack, postpack: _postpack, ...scripts } = shipped.scripts ?? {};
  const { scripts: _scripts, ...rest } = shipped;
  const clean = (Object.keys(scripts).length > 0 ? { ...rest, scripts } : rest) as Manifest;
  return version ? withVersion(clean, version) : clean;
}

/** Reads a package's manifest from the tree. */
export function readManifest(directory: string): Manifest {
  return JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as Manifest;
}

/**
 * Packs every published package into `destination` (created when missing). The packages must be
 * built (`npm run build`). With `version`, the tarballs carry that version instead of the tree's.
 */
export function packPackages(options: { destination: string; version?: string }): PackedPackage[] {
  const destination = resolve(options.destination);
  mkdirSync(destination, { recursive: true });
  const packed: PackedPackage[] = [];
  for (const folder of publishedPackages) {
    const source = join(repositoryRoot, 'packages', folder);
    const manifest = shippedManifest(readManifest(source), options.version);
    const staging = mkdtempSync(join(tmpdir(), `logto-kit-pack-${folder}-`));
    try {
      for (const entry of manifest.files ?? []) {
        const from = join(source, entry);
        if (!existsSync(from))
          throw new Error(`packages/${folder}: "${entry}" is in "files" but missing (build first)`);
        cpSync(from, join(staging, entry), { recursive: true });
      }
      writeFileSync(join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      const npm = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], {
        cwd: staging,
        encoding: 'utf8',
      });
      if (npm.status !== 0) throw new Error(`npm pack failed in packages/${folder}:\n${npm.stderr}`);
      const [result] = JSON.parse(npm.stdout) as { filename: string }[];
      if (!result) throw new Error(`npm pack printed no result for packages/${folder}`);
      packed.push({
        name: manifest.name,
        version: manifest.version,
        tarball: join(destination, result.filename),
        manifest,
      });
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return packed;
}
