import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from './cli.ts';
import { CookieJar } from './cookie-jar.ts';
import { demoWorld } from './demo-world.ts';
import { confirmSignOut, signInThroughForms } from './testing.ts';

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

/**
 * Runs the CLI in this process until `stop()`; resolves once it printed the issuer (or exited).
 */
async function runInProcess(args: string[]) {
  const run = capture();
  let stop = () => {};
  const stopSignal = new Promise<void>((resolve) => {
    stop = resolve;
  });
  let announced = () => {};
  const ready = new Promise<void>((resolve) => {
    announced = resolve;
  });
  const stdout = (text: string) => {
    run.io.stdout(text);
    if (text.includes('Press Ctrl+C')) announced();
  };
  const exit = main(args, { ...run.io, stdout, stopSignal });
  await Promise.race([ready, exit]);
  const issuer = /issuer\s+(\S+)/.exec(run.stdout())?.[1];
  return { run, stop, exit, issuer };
}

const codeVerifier = 'a-code-verifier-of-the-cli-tests-that-is-long-enough';

/** The authorization request of the demo web app, with `redirectUri` (PKCE with `codeVerifier`). */
function authorizationUrl(issuer: string, redirectUri: string): string {
  const query = new URLSearchParams({
    client_id: 'sample-web-app',
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid offline_access',
    prompt: 'consent',
    state: 'state-1',
    code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  return `${issuer}/auth?${query}`;
}

const webAppBasic = `Basic ${btoa('sample-web-app:sample-web-app-secret')}`;

/** The Node.js 22.13 binary of the packaging tests (the oldest Node.js the packages support). */
const node22 = fileURLToPath(new URL('../../../test/packaging/node_modules/node/bin/node', import.meta.url));

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
    assert.match(run.stdout(), /logto-kit-dev-server \[dev\] \[options\]/);
    assert.match(run.stdout(), /npx @logto-kit\/dev-server/);
    assert.match(run.stdout(), /--memory/);
    assert.match(run.stdout(), /--app-url/);
    const devHelp = capture();
    assert.equal(await main(['dev', '--help'], devHelp.io), 0);
    assert.match(devHelp.stdout(), /rotate-keys/);
  });

  it('refuses usage errors with exit code 2 and the help', async () => {
    for (const args of [
      ['serve'],
      ['dev', 'serve'],
      ['--app-url', 'ftp://localhost:5173'],
      ['dev', '--app-url', 'http://localhost:5173/?next=1'],
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

  it('runs from the installed bin (bin/logto-kit-dev-server.js → dist/cli.js)', async () => {
    assert.ok(existsSync(join(packageDir, 'dist', 'cli.js')), 'dist/ is built by npm install (or npm run build)');
    const child = spawn(process.execPath, ['bin/logto-kit-dev-server.js', '--help'], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = collect(child.stdout);
    assert.equal(await exitOf(child), 0);
    assert.match(stdout(), /logto-kit-dev-server \[dev\] \[options\]/);
    const bad = spawn(process.execPath, ['bin/logto-kit-dev-server.js', 'dev', '--port', 'x'], {
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
  it('starts without the dev command and registers --app-url for the demo web app (redirect and post-logout URIs)', async () => {
    const { run, stop, exit, issuer } = await runInProcess([
      '--port',
      '0',
      '--memory',
      '--app-url',
      'http://localhost:5173/',
      '--app-url',
      'http://127.0.0.1:8080/app',
    ]);
    try {
      assert.ok(issuer, run.stdout() + run.stderr());
      assert.match(run.stdout(), /sample-web-app .*http:\/\/localhost:5173\/callback/);
      const authorize = (redirectUri: string) =>
        fetch(authorizationUrl(issuer, redirectUri), { redirect: 'manual' }).then((response) => response.status);
      for (const registered of [
        'http://localhost:5173/callback',
        'http://127.0.0.1:8080/app/callback',
        'http://localhost:3000/callback',
      ]) {
        assert.equal(await authorize(registered), 303, registered);
      }
      assert.equal(await authorize('http://localhost:5174/callback'), 400);
      const endSession = (postLogout: string) =>
        fetch(
          `${issuer}/session/end?${new URLSearchParams({ client_id: 'sample-web-app', post_logout_redirect_uri: postLogout })}`,
          { redirect: 'manual' },
        ).then((response) => response.status);
      assert.equal(await endSession('http://localhost:5173/'), 200);
      assert.equal(await endSession('http://127.0.0.1:8080/app/'), 200);
      assert.equal(await endSession('http://localhost:5174/'), 400);
    } finally {
      stop();
    }
    assert.equal(await exit, 0);
  });

  it('refuses --app-url when the configuration has no single web application to register it for', async () => {
    const file = join(dir, 'two-web-apps.json');
    const app = (id: string) => ({
      id,
      type: 'traditional',
      secret: 's',
      redirectUris: [`http://localhost:4000/${id}`],
    });
    await writeFile(file, JSON.stringify({ applications: [app('one'), app('two')] }));
    const run = capture();
    assert.equal(
      await main(['--config', file, '--memory', '--port', '0', '--app-url', 'http://localhost:5173'], run.io),
      2,
    );
    assert.match(run.stderr(), /--app-url needs exactly one traditional web application in the configuration, found 2/);
  });

  it('prints no runtime warning on Node.js 22.13: SQLite storage, sign-in, refresh-token revocation and sign-out', async () => {
    assert.ok(existsSync(node22), `Node.js 22.13 is installed by npm install (test/packaging): ${node22}`);
    const dataDir = join(dir, 'quiet');
    const child = spawn(
      node22,
      ['bin/logto-kit-dev-server.js', '--port', '0', '--data', dataDir, '--app-url', 'http://localhost:5173'],
      { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    const exit = exitOf(child);
    try {
      const issuer = await new Promise<string | undefined>((resolve) => {
        child.stdout?.on('data', () => {
          if (stdout().includes('Press Ctrl+C')) resolve(/issuer\s+(\S+)/.exec(stdout())?.[1]);
        });
        child.once('exit', () => resolve(undefined));
      });
      assert.ok(issuer, `the issuer is printed (stderr: ${stderr()})`);
      assert.match(stdout(), /SQLite/);
      const jar = new CookieJar();
      const callback = new URL(
        await signInThroughForms(
          authorizationUrl(issuer, 'http://localhost:5173/callback'),
          { username: 'demo', password: 'demo-password' },
          { cookieJar: jar },
        ),
      );
      const tokens = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { authorization: webAppBasic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: callback.searchParams.get('code') ?? '',
          redirect_uri: 'http://localhost:5173/callback',
          code_verifier: codeVerifier,
        }),
      });
      assert.equal(tokens.status, 200);
      const { refresh_token: refreshToken, id_token: idToken } = (await tokens.json()) as Record<string, string>;
      assert.ok(refreshToken && idToken);
      const revocation = await fetch(`${issuer}/token/revocation`, {
        method: 'POST',
        headers: { authorization: webAppBasic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: refreshToken, token_type_hint: 'refresh_token' }),
      });
      assert.equal(revocation.status, 200);
      const endSession = `${issuer}/session/end?${new URLSearchParams({
        client_id: 'sample-web-app',
        id_token_hint: idToken,
        post_logout_redirect_uri: 'http://localhost:5173/',
      })}`;
      assert.equal(await confirmSignOut(endSession, jar), 'http://localhost:5173/');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exit, 0);
    assert.equal(stderr(), '', 'nothing on stderr (no ExperimentalWarning)');
    assert.doesNotMatch(stdout(), /NOTICE|WARNING|Warning/, 'no oidc-provider notice on stdout');
  });
});
