// `npm test`: lint, type-check, build, then every test file (unit, integration, official-SDK
// compatibility, browser, packaging). With file arguments, builds and runs only those test files.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  locateRealLogto,
  type RealLogto,
  realLogtoNotice,
  shareRealLogto,
  startRealLogto,
} from '../test/real-logto.ts';
import { ensureChromium } from './chromium.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);

let realLogto: RealLogto | undefined;

async function run(
  title: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  console.log(`\n▶ ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    console.error(`✖ ${title} failed (exit ${result.status ?? result.signal})`);
    await realLogto?.close();
    process.exit(result.status ?? 1);
  }
}

// The packaging tests (README snippets, packed tarballs) read the built packages: build first.
await run('build (dist/)', process.execPath, ['scripts/build.ts']);

const chromium = ensureChromium();

// The half of the conformance and integration tests that runs against the real Logto: one line when
// it cannot run here; in CI it must run.
const located = locateRealLogto();
if (!located.available) {
  if (process.env.CI === 'true') {
    console.error(`✖ ${realLogtoNotice(located.reason)}`);
    process.exit(1);
  }
  console.log(realLogtoNotice(located.reason));
}

const env = { ...process.env, LOGTO_KIT_CHROMIUM: chromium };

if (only.length === 0) {
  await run('lint (biome)', 'biome', ['check', '.']);
  await run('type-check (tsc)', 'tsc', ['-p', 'tsconfig.json']);
}

const files =
  only.length > 0 ? only : ['packages/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts', 'test/**/*.test.ts'];
// One real Logto for the whole run (about 5 s to start and 200 MB), shared by every test file that
// compares with it, rather than one per file.
const needsRealLogto =
  only.length === 0 ||
  only.some((file) => existsSync(file) && /startRealLogto|startLogtoUnderTest/.test(readFileSync(file, 'utf8')));
if (located.available && needsRealLogto) {
  const started = Date.now();
  realLogto = await startRealLogto();
  if (realLogto) {
    console.log(`\n▶ real Logto v1.37.1 at ${realLogto.endpoint} (started in ${Date.now() - started} ms)`);
    Object.assign(env, shareRealLogto(realLogto));
  }
}
await run(
  'tests (node:test)',
  process.execPath,
  ['--conditions=@logto-kit/source', '--test', '--test-concurrency=3', '--test-timeout=120000', ...files],
  env,
);
await realLogto?.close();
