import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from './cli.ts';
import { demoWorld } from './demo-world.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (text: string) => out.push(text), stderr: (text: string) => err.push(text) },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

/** Runs the CLI source in a child Node process, as `logto-kit` would be run. */
function spawnCli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--conditions=@logto-kit/source', 'src/cli.ts', ...args], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function collect(stream: NodeJS.ReadableStream | null): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    text += chunk;
  });
  return () => text;
}

describe('logto-kit CLI', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'logto-kit-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('prints the help with --help and exits 0', async () => {
    const run = capture();
    assert.equal(await main(['--help'], run.io), 0);
    assert.match(run.stdout(), /logto-kit dev \[options\]/);
    assert.match(run.stdout(), /--memory/);
    const devHelp = capture();
    assert.equal(await main(['dev', '--help'], devHelp.io), 0);
    assert.match(devHelp.stdout(), /rotate-keys/);
  });

  it('refuses usage errors with exit code 2 and the help', async () => {
    for (const args of [
      [],
      ['serve'],
      ['dev', '--port', 'abc'],
      ['dev', '--data', 'x', '--memory'],
      ['dev', '--prot', '1'],
    ]) {
      const run = capture();
      assert.equal(await main(args, run.io), 2, `exit 2 for ${args.join(' ') || '(nothing)'}`);
      assert.match(run.stderr(), /Usage:/);
    }
  });

  it('exits 1 with the path of the bad field for an invalid configuration file (child process)', async () => {
    const file = join(dir, 'bad.json');
    const config = structuredClone(demoWorld);
    config.applications[0]?.redirectUris?.push('not-a-url');
    await writeFile(file, JSON.stringify(config));
    const child = spawnCli(['dev', '--config', file, '--memory', '--port', '0']);
    const stderr = collect(child.stderr);
    const stdout = collect(child.stdout);
    assert.equal(await exitOf(child), 1);
    assert.match(stderr(), /applications\[0\]\.redirectUris\[1\]: must be an absolute http\(s\) URL/);
    assert.match(stderr(), /bad\.json/);
    assert.doesNotMatch(stdout(), /running/);
  });

  it('reports a missing configuration file with exit code 1', async () => {
    const run = capture();
    assert.equal(await main(['dev', '--config', join(dir, 'nope.json'), '--memory', '--port', '0'], run.io), 1);
    assert.match(run.stderr(), /nope\.json: cannot read the configuration: file not found/);
  });

  it('exits 1 with a clear message when the port is taken', async () => {
    const blocker = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(0, 'localhost', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const run = capture();
      assert.equal(
        await main(['dev', '--port', String(port), '--memory'], { ...run.io, stopSignal: new Promise(() => {}) }),
        1,
      );
      assert.match(run.stderr(), new RegExp(`port ${port} is already in use; choose another with --port`));
    } finally {
      blocker.close();
    }
  });

  it('serves a custom configuration without printing demo credentials, and stops on its signal', async () => {
    const file = join(dir, 'custom.json');
    await writeFile(
      file,
      JSON.stringify({
        applications: [{ id: 'my-app', type: 'traditional', secret: 's', redirectUris: ['http://localhost:4000/cb'] }],
        users: [{ username: 'me', password: 'my-password' }],
      }),
    );
    let stop = () => {};
    const stopSignal = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const run = capture();
    let announced = () => {};
    const ready = new Promise<void>((resolve) => {
      announced = resolve;
    });
    const stdout = (text: string) => {
      run.io.stdout(text);
      if (text.includes('Press Ctrl+C')) announced();
    };
    const exit = main(['dev', '--config', file, '--memory', '--port', '0'], { ...run.io, stdout, stopSignal });
    await Promise.race([ready, exit]);
    const issuer = /issuer\s+(\S+)/.exec(run.stdout())?.[1];
    assert.ok(issuer, run.stdout() + run.stderr());
    const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
    assert.equal(discovery.status, 200);
    assert.doesNotMatch(run.stdout(), /demo-password/);
    stop();
    assert.equal(await exit, 0);
    assert.match(run.stdout(), /stopped/);
  });

  it('starts with the demo world, prints the issuer and the demo credentials, serves discovery, and stops on SIGTERM', async () => {
    const started = performance.now();
    const child = spawnCli(['dev', '--port', '0', '--memory']);
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    const exit = exitOf(child);
    try {
      // The CLI prints the issuer once the server listens; the process exits early on failure.
      const printed = new Promise<string | undefined>((resolve) => {
        child.stdout?.on('data', () => {
          const issuer = /issuer\s+(\S+)/.exec(stdout())?.[1];
          if (issuer) resolve(issuer);
        });
        child.once('exit', () => resolve(undefined));
      });
      const issuer = await printed;
      assert.ok(issuer, `the issuer is printed (stderr: ${stderr()})`);
      const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
      const elapsed = performance.now() - started;
      assert.equal(discovery.status, 200);
      assert.equal(((await discovery.json()) as { issuer?: string }).issuer, issuer);
      console.log(`logto-kit dev: spawn to serving discovery in ${elapsed.toFixed(0)} ms`);
      assert.match(issuer ?? '', /^http:\/\/localhost:\d+\/oidc$/);
      assert.match(stdout(), /demo \/ demo-password/);
      assert.match(stdout(), /sample-web-app \/ sample-web-app-secret/);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exit, 0, 'a clean exit on SIGTERM');
    assert.match(stdout(), /stopped/);
  });

  it('runs from the installed bin (bin/logto-kit.js → dist/cli.js)', async () => {
    assert.ok(existsSync(join(packageDir, 'dist', 'cli.js')), 'dist/ is built by npm install (or npm run build)');
    const child = spawn(process.execPath, ['bin/logto-kit.js', '--help'], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = collect(child.stdout);
    assert.equal(await exitOf(child), 0);
    assert.match(stdout(), /logto-kit dev \[options\]/);
    const bad = spawn(process.execPath, ['bin/logto-kit.js', 'dev', '--port', 'x'], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr = collect(bad.stderr);
    assert.equal(await exitOf(bad), 2);
    assert.match(stderr(), /--port must be a number/);
  });

  it('adds a signing key with rotate-keys', async () => {
    const run = capture();
    const dataDir = join(dir, 'data');
    assert.equal(await main(['dev', 'rotate-keys', '--data', dataDir], run.io), 0);
    assert.match(run.stdout(), /Added signing key \S+ to .*dev-server\.sqlite/);
  });
});
