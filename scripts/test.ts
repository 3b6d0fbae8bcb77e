// `npm test`: lint, type-check, build, then every test file (unit, integration, official-SDK
// compatibility, browser, packaging). With file arguments, builds and runs only those test files.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureChromium } from './chromium.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);

function run(title: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  console.log(`\n▶ ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    console.error(`✖ ${title} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

// The packaging tests (README snippets, packed tarballs) read the built packages: build first.
run('build (dist/)', process.execPath, ['scripts/build.ts']);

const chromium = ensureChromium();
const env = { ...process.env, LOGTO_KIT_CHROMIUM: chromium };

if (only.length === 0) {
  run('lint (biome)', 'biome', ['check', '.']);
  run('type-check (tsc)', 'tsc', ['-p', 'tsconfig.json']);
}

const files =
  only.length > 0 ? only : ['packages/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts', 'test/**/*.test.ts'];
run(
  'tests (node:test)',
  process.execPath,
  ['--conditions=@logto-kit/source', '--test', '--test-concurrency=3', '--test-timeout=120000', ...files],
  env,
);
