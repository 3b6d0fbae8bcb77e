// `npm test`: lint, type-check, then every test file (unit, integration, official-SDK
// compatibility, browser). With file arguments, runs only those test files.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { locateRealLogto, realLogtoNotice } from '../test/real-logto.ts';
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

const chromium = ensureChromium();

// The half of the conformance and integration tests that runs against the real Logto: one line when
// it cannot run here; in CI it must run.
const realLogto = locateRealLogto();
if (!realLogto.available) {
  if (process.env.CI === 'true') {
    console.error(`✖ ${realLogtoNotice(realLogto.reason)}`);
    process.exit(1);
  }
  console.log(realLogtoNotice(realLogto.reason));
}

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
