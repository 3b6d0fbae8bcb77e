// `npm run release -- <patch|minor|major|x.y.z> [--dry-run] [--out DIR] [--no-build]`: versions
// every published package together and packs them.
//
// - All packages share one version; the new one is set in each package, and every range on a
//   `@logto-kit/*` package (in the packages and the examples) becomes `^<version>`; the lockfile
//   follows. Then the packages are built and packed into `--out` (default `release/<version>`).
// - `--dry-run` changes nothing in the repository: it builds, packs tarballs that carry the new
//   version into `--out` (default: a new temporary folder) and prints what a release would do.
// - `--no-build` packs the `dist/` already built (the packaging tests, which run after the build).
//
// Publishing stays a separate, deliberate step: the script prints the `npm publish` commands.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type Manifest,
  packPackages,
  publishedPackages,
  readManifest,
  repositoryRoot,
  withInternalRanges,
  withVersion,
} from './pack.ts';

const semver = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** The version after `current` for a bump (`patch`, `minor`, `major`) or an explicit `x.y.z[-pre]`. */
export function nextVersion(current: string, bump: string): string {
  const parts = semver.exec(current);
  if (!parts) throw new Error(`the current version "${current}" is not x.y.z`);
  const [major, minor, patch] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  if (bump === 'patch') return parts[4] ? `${major}.${minor}.${patch}` : `${major}.${minor}.${patch + 1}`;
  if (!semver.test(bump)) throw new Error(`"${bump}" is neither patch, minor, major nor a version x.y.z`);
  return bump;
}

/** The one version every published package has (an error names them when they differ). */
export function currentVersion(): string {
  const versions = new Map(publishedPackages.map((folder) => [folder, readManifest(packageDir(folder)).version]));
  const distinct = new Set(versions.values());
  if (distinct.size !== 1) {
    throw new Error(`the packages must share one version: ${[...versions].map(([f, v]) => `${f} ${v}`).join(', ')}`);
  }
  return [...distinct][0] as string;
}

function packageDir(folder: string): string {
  return join(repositoryRoot, 'packages', folder);
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: repositoryRoot, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}

function writeManifest(directory: string, manifest: Manifest | Record<string, unknown>): void {
  writeFileSync(join(directory, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Sets the version in the repository: the packages, the examples' ranges, the lockfile. */
function applyVersion(version: string): void {
  for (const folder of publishedPackages)
    writeManifest(packageDir(folder), withVersion(readManifest(packageDir(folder)), version));
  for (const example of readdirSync(join(repositoryRoot, 'examples'))) {
    const directory = join(repositoryRoot, 'examples', example);
    writeManifest(directory, withInternalRanges(readManifest(directory), version));
  }
  run('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund']);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'dry-run': { type: 'boolean' }, out: { type: 'string' }, 'no-build': { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 1) throw new Error('give one version: patch, minor, major or x.y.z');
  const dryRun = values['dry-run'] === true;
  const from = currentVersion();
  const version = nextVersion(from, positionals[0] ?? 'patch');
  const out = resolve(
    values.out ??
      (dryRun ? mkdtempSync(join(tmpdir(), 'logto-kit-release-')) : join(repositoryRoot, 'release', version)),
  );

  console.log(`${dryRun ? 'Dry run: ' : ''}releasing ${publishedPackages.length} packages ${from} → ${version}`);
  if (!dryRun) applyVersion(version);
  if (values['no-build'] !== true) run(process.execPath, ['scripts/build.ts']);
  const packed = packPackages({ destination: out, ...(dryRun ? { version } : {}) });

  for (const pkg of packed) {
    const internal = Object.entries((pkg.manifest.dependencies ?? {}) as Record<string, string>)
      .filter(([name]) => name.startsWith('@logto-kit/'))
      .map(([name, range]) => `${name}@${range}`);
    console.log(
      `  ${pkg.name}@${pkg.version}  ${relative(process.cwd(), pkg.tarball)}${internal.length ? `  (${internal.join(', ')})` : ''}`,
    );
  }
  if (dryRun) {
    console.log(
      '\nNothing in the repository changed. Without --dry-run the versions are written and the tarballs kept.',
    );
  } else {
    console.log(`\nNext: review and commit ("Release ${version}"), tag v${version}, then publish in this order:`);
    for (const pkg of packed) console.log(`  npm publish ${relative(process.cwd(), pkg.tarball)} --access public`);
  }
  return 0;
}

if (import.meta.main) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    console.error(`release: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
