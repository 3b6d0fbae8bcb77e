// The packages as a new user gets them: packed (`npm pack`, what `npm publish` uploads), checked by
// publint and arethetypeswrong, installed from the tarballs (and the npm cache) into fresh projects
// outside the repository, type-checked there by a strict consumer (`nodenext`, `strict`,
// `skipLibCheck: false`) with only the type packages it uses, and each package's quick start run on
// Node.js 22.13, the oldest Node.js the packages support.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type PackedPackage, packPackages, publishedPackages, repositoryRoot } from '../../scripts/pack.ts';

const packagingDir = join(repositoryRoot, 'test', 'packaging');
const node22 = join(packagingDir, 'node_modules', 'node', 'bin', 'node');
const tsc = join(repositoryRoot, 'node_modules', '.bin', 'tsc');
const tool = (name: string) => join(repositoryRoot, 'node_modules', '.bin', name);
/** PATH with Node.js 22.13 first: `npx`, `npm` and the packages' bins run on it. */
const node22Path = `${dirname(node22)}${delimiter}${process.env.PATH ?? ''}`;

/** The framework and type packages the fresh Node project installs, at the repository's ranges. */
function thirdParty(): string[] {
  const root = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const examples = ['express', 'fastify', 'hono'].map((name) => {
    for (const example of readdirSync(join(repositoryRoot, 'examples'))) {
      const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'examples', example, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
      };
      const range = manifest.dependencies?.[name];
      if (range) return `${name}@${range}`;
    }
    throw new Error(`no example depends on ${name}`);
  });
  const fromRoot = ['@hono/node-server', '@types/express'].map((name) => `${name}@${root.devDependencies[name]}`);
  return [...examples, ...fromRoot, '@types/node@22'];
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 300_000 });
  const output = `${result.error ? `${result.error.message}\n` : ''}${result.stdout ?? ''}${result.stderr ?? ''}`;
  return { status: result.status, output, stdout: result.stdout ?? '' };
}

/** A fresh project in `dir` with these packages installed (tarballs and the npm cache first). */
function freshProject(dir: string, install: string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fresh-project', private: true, type: 'module' }));
  const npm = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...install], dir);
  assert.equal(npm.status, 0, `npm install in ${dir}:\n${npm.output}`);
}

/** A strict consumer's tsconfig.json: TypeScript's default `lib` for the target, only `types` as type packages. */
function strictTsconfig(dir: string, options: { types: string[]; include: string[] }): void {
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2023',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        skipLibCheck: false,
        types: options.types,
        outDir: 'out',
        rootDir: '.',
      },
      include: options.include,
    }),
  );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => join(dir, entry))
    .filter((file) => statSync(file).isFile());
}

/** Every string target of an `exports` value (conditions nested to any depth). */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('packed packages', () => {
  let work: string;
  let packed: PackedPackage[];
  const unpacked = new Map<string, string>();
  const tarball = (folder: string) => packed[publishedPackages.indexOf(folder as (typeof publishedPackages)[number])]!;

  before(() => {
    assert.ok(existsSync(node22), `Node.js 22.13 is installed by npm install (test/packaging): ${node22}`);
    const version = run(node22, ['--version'], repositoryRoot).stdout.trim();
    assert.match(version, /^v22\.(1[3-9]|[2-9]\d)\./, `Node.js 22.13 or a later 22.x (got ${version})`);
    for (const folder of publishedPackages) {
      assert.ok(existsSync(join(repositoryRoot, 'packages', folder, 'dist')), `packages/${folder} is built`);
    }
    work = mkdtempSync(join(tmpdir(), 'logto-kit-packed-'));
    packed = packPackages({ destination: join(work, 'tarballs') });
    for (const [index, folder] of publishedPackages.entries()) {
      const dir = join(work, 'unpacked', folder);
      mkdirSync(dir, { recursive: true });
      const tar = run('tar', ['-xzf', packed[index]!.tarball, '-C', dir], work);
      assert.equal(tar.status, 0, tar.output);
      unpacked.set(folder, join(dir, 'package'));
    }
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ship every exports, types and bin target, the LICENSE and the README, and no TypeScript sources', () => {
    for (const [folder, dir] of unpacked) {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      const targets = [
        ...exportTargets(manifest.exports),
        ...(typeof manifest.types === 'string' ? [manifest.types] : []),
        ...(typeof manifest.main === 'string' ? [manifest.main] : []),
        ...exportTargets(manifest.bin),
      ];
      assert.ok(targets.length > 0, folder);
      for (const target of targets) assert.ok(existsSync(join(dir, target)), `${folder}: ${target} is in the tarball`);
      const text = JSON.stringify(manifest);
      assert.doesNotMatch(text, /@logto-kit\/source|\.\/src\//, `${folder}: the shipped package.json names no source`);
      assert.doesNotMatch(text, /prepack|postpack/, `${folder}: no pack scripts ship`);
      assert.equal(manifest.license, 'MIT');
      assert.match(readFileSync(join(dir, 'LICENSE'), 'utf8'), /^MIT License/);
      assert.ok(existsSync(join(dir, 'README.md')), `${folder}: README.md`);
      const sources = filesUnder(dir).filter((file) => /(?<!\.d)\.ts$/.test(file));
      assert.deepEqual(sources, [], `${folder}: no .ts sources`);
    }
  });

  it('ship source maps that carry their sources', () => {
    let maps = 0;
    for (const [folder, dir] of unpacked) {
      for (const file of filesUnder(dir).filter((name) => name.endsWith('.map'))) {
        const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourcesContent?: unknown[] };
        assert.equal(map.sourcesContent?.length, map.sources.length, `${folder}: ${file} carries sourcesContent`);
        assert.ok(
          map.sourcesContent.every((content) => typeof content === 'string' && content.length > 0),
          `${folder}: ${file}`,
        );
        maps++;
      }
    }
    assert.ok(maps > 0, 'the packages ship source maps');
  });

  it('pass publint (strict) and arethetypeswrong (ESM-only profile)', () => {
    for (const pkg of packed) {
      const publint = run(tool('publint'), ['run', pkg.tarball, '--strict'], work);
      assert.equal(publint.status, 0, `publint ${pkg.name}:\n${publint.output}`);
      const attw = run(tool('attw'), [pkg.tarball, '--profile', 'esm-only', '--format', 'ascii'], work);
      assert.equal(attw.status, 0, `arethetypeswrong ${pkg.name}:\n${attw.output}`);
    }
  });

  it('run the dev server from an empty folder with npx @logto-kit/dev-server (the tarball), on Node.js 22.13', () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    const env = { ...process.env, PATH: node22Path };
    // `file:<tarball>` stands for the published name: npx runs the package's one bin.
    const help = run(
      'npx',
      ['--yes', '--prefer-offline', `file:${tarball('dev-server').tarball}`, '--help'],
      empty,
      env,
    );
    assert.equal(help.status, 0, help.output);
    assert.match(help.stdout, /npx @logto-kit\/dev-server/);
    assert.deepEqual(readdirSync(empty), [], 'npx leaves the folder empty');
  });

  describe('in a fresh Node.js project', () => {
    let project: string;
    before(() => {
      project = join(work, 'node-project');
      freshProject(project, [...packed.map((pkg) => pkg.tarball), ...thirdParty()]);
      mkdirSync(join(project, 'consumers'));
      for (const entry of [...publishedPackages, 'dev-server/testing']) {
        writeFileSync(
          join(project, 'consumers', `${entry.replace('/', '-')}.ts`),
          `import * as entry from '@logto-kit/${entry}';\nexport const loaded: unknown = entry;\n`,
        );
      }
      mkdirSync(join(project, 'quick-starts'));
      for (const file of readdirSync(join(packagingDir, 'quick-starts'))) {
        writeFileSync(
          join(project, 'quick-starts', file),
          readFileSync(join(packagingDir, 'quick-starts', file), 'utf8'),
        );
      }
      strictTsconfig(project, { types: ['node'], include: ['consumers', 'quick-starts'] });
    });

    it('installs no package of the project from the registry: every @logto-kit package is a local tarball', () => {
      const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as {
        packages: Record<string, { resolved?: string; version?: string }>;
      };
      const ours = Object.entries(lock.packages).filter(([path]) => path.includes('node_modules/@logto-kit/'));
      assert.equal(ours.length, publishedPackages.length, ours.map(([path]) => path).join(', '));
      for (const [path, entry] of ours) assert.match(entry.resolved ?? '', /^file:/, `${path}: ${entry.resolved}`);
    });

    it('type-checks every entry point and the quick starts strictly (skipLibCheck: false), with @types/node only', () => {
      const check = run(tsc, ['-p', project, '--pretty', 'false'], project);
      assert.equal(check.status, 0, check.output);
    });

    it('runs the dev server CLI installed in the project (npx --offline), with no warning, on Node.js 22.13', async () => {
      const env = { ...process.env, PATH: node22Path };
      const help = run('npx', ['--offline', '@logto-kit/dev-server', '--help'], project, env);
      assert.equal(help.status, 0, help.output);
      const child = spawn(join(project, 'node_modules', '.bin', 'logto-kit-dev-server'), ['--port', '0'], {
        cwd: project,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      const exit = exitOf(child);
      try {
        const issuer = await new Promise<string | undefined>((resolve) => {
          child.stdout.on('data', () => {
            if (stdout.includes('Press Ctrl+C')) resolve(/issuer\s+(\S+)/.exec(stdout)?.[1]);
          });
          child.once('exit', () => resolve(undefined));
        });
        assert.ok(issuer, `${stdout}${stderr}`);
        assert.equal((await fetch(`${issuer}/.well-known/openid-configuration`)).status, 200);
        assert.match(stdout, /admin \/ admin-password/);
      } finally {
        child.kill('SIGTERM');
      }
      assert.equal(await exit, 0);
      assert.equal(stderr, '', 'nothing on stderr (SQLite storage, Node.js 22.13)');
    });

    for (const quickStart of ['client-and-api', 'express', 'hono', 'fastify']) {
      it(`runs the ${quickStart} quick start on Node.js 22.13`, () => {
        assert.ok(existsSync(join(project, 'out', 'quick-starts', `${quickStart}.js`)), 'compiled by the type-check');
        const result = run(node22, [join('out', 'quick-starts', `${quickStart}.js`)], project);
        assert.equal(result.status, 0, result.output);
        assert.doesNotMatch(result.output, /Warning|NOTICE/);
      });
    }
  });

  describe('in a fresh project without Node.js types (web-standard packages)', () => {
    // The packages that promise web-standard APIs only: their declarations must compile without
    // @types/node (the API guard's node:crypto layer is reached only under the `node` condition,
    // and no public declaration names it).
    const webStandard = ['client', 'web', 'api', 'hono'];
    let project: string;
    before(() => {
      project = join(work, 'web-project');
      freshProject(project, [
        ...['client', 'web', 'api', 'hono'].map((folder) => tarball(folder).tarball),
        thirdParty().find((spec) => spec.startsWith('hono@')) ?? 'hono',
      ]);
      for (const folder of webStandard) {
        writeFileSync(
          join(project, `${folder}.ts`),
          `import * as entry from '@logto-kit/${folder}';\nexport const loaded: unknown = entry;\n`,
        );
      }
      strictTsconfig(project, { types: [], include: ['*.ts'] });
    });

    it('type-checks strictly with no @types package installed', () => {
      assert.equal(existsSync(join(project, 'node_modules', '@types')), false, 'no @types package is installed');
      const check = run(tsc, ['-p', project, '--pretty', 'false', '--noEmit'], project);
      assert.equal(check.status, 0, check.output);
    });
  });
});
