// `npm run release -- <version> --dry-run`: every package versioned together (its own version and
// its ranges on the others) and packed, with nothing in the repository changed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  publishedPackages,
  readManifest,
  repositoryRoot,
  withInternalRanges,
  withVersion,
} from '../../scripts/pack.ts';
import { currentVersion, nextVersion } from '../../scripts/release.ts';

function gitStatus(): string {
  const git = spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], {
    cwd: repositoryRoot,
    encoding: 'utf8',
  });
  assert.equal(git.status, 0, git.stderr);
  return git.stdout;
}

describe('release', () => {
  it('computes the next version from a bump or takes an explicit one', () => {
    assert.equal(nextVersion('0.1.0', 'patch'), '0.1.1');
    assert.equal(nextVersion('0.1.0', 'minor'), '0.2.0');
    assert.equal(nextVersion('0.1.9', 'major'), '1.0.0');
    assert.equal(nextVersion('1.0.0-rc.1', 'patch'), '1.0.0');
    assert.equal(nextVersion('0.1.0', '0.3.0-beta.1'), '0.3.0-beta.1');
    assert.throws(() => nextVersion('0.1.0', 'next'), /neither patch, minor, major nor a version/);
  });

  it('sets a package version and its ranges on the other packages, and only the ranges of an example', () => {
    const pkg = {
      name: '@logto-kit/express',
      version: '0.1.0',
      dependencies: { '@logto-kit/web': '^0.1.0', express: '^5.3.0' },
      peerDependencies: { express: '>=5' },
    };
    assert.deepEqual(withVersion(pkg, '0.2.0'), {
      name: '@logto-kit/express',
      version: '0.2.0',
      dependencies: { '@logto-kit/web': '^0.2.0', express: '^5.3.0' },
      peerDependencies: { express: '>=5' },
    });
    const example = { name: '@logto-kit/example-api', version: '0.0.0', dependencies: { '@logto-kit/api': '^0.1.0' } };
    assert.deepEqual(withInternalRanges(example, '0.2.0'), {
      ...example,
      dependencies: { '@logto-kit/api': '^0.2.0' },
    });
  });

  it('--dry-run packs every package at the next version, with internal ranges on it, and changes nothing', () => {
    const before = gitStatus();
    const from = currentVersion();
    const version = nextVersion(from, 'minor');
    const out = mkdtempSync(join(tmpdir(), 'logto-kit-release-test-'));
    try {
      const release = spawnSync(
        process.execPath,
        ['scripts/release.ts', 'minor', '--dry-run', '--no-build', '--out', out],
        { cwd: repositoryRoot, encoding: 'utf8' },
      );
      assert.equal(release.status, 0, `${release.stdout}${release.stderr}`);
      assert.match(
        release.stdout,
        new RegExp(`Dry run: releasing ${publishedPackages.length} packages ${from} → ${version}`),
      );
      const tarballs = readdirSync(out).sort();
      assert.deepEqual(tarballs, publishedPackages.map((folder) => `logto-kit-${folder}-${version}.tgz`).sort());
      for (const file of tarballs) {
        const tar = spawnSync('tar', ['-xzOf', join(out, file), 'package/package.json'], { encoding: 'utf8' });
        assert.equal(tar.status, 0, tar.stderr);
        const manifest = JSON.parse(tar.stdout) as Record<string, unknown>;
        assert.equal(manifest.version, version, file);
        for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
          for (const [name, range] of Object.entries((manifest[field] ?? {}) as Record<string, string>)) {
            if (name.startsWith('@logto-kit/')) assert.equal(range, `^${version}`, `${file} ${field} ${name}`);
          }
        }
        assert.doesNotMatch(tar.stdout, /@logto-kit\/source/, file);
      }
      for (const folder of publishedPackages) {
        assert.equal(
          readManifest(join(repositoryRoot, 'packages', folder)).version,
          from,
          `packages/${folder} unchanged`,
        );
      }
      assert.equal(gitStatus(), before, 'the working tree is as it was');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
