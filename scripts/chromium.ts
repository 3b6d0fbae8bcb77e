// The browser tests drive Debian's `chromium`. Find it, install it when this process may
// (root with apt-get), or stop at once with the command to run: never skip the suite.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

function found(): string | undefined {
  const fromEnv = process.env.LOGTO_KIT_CHROMIUM;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return candidates.find((path) => existsSync(path));
}

/** Returns the path of a Chromium executable, installing Debian's package when possible. */
export function ensureChromium(): string {
  const existing = found();
  if (existing) return existing;

  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    console.error(
      '✖ The browser tests need Chromium, which is not installed.\n' +
        '  Install it with:  sudo apt-get update && sudo apt-get install -y chromium\n' +
        '  (or set LOGTO_KIT_CHROMIUM to a Chromium executable), then run npm test again.',
    );
    process.exit(1);
  }
  console.log('▶ installing chromium (apt-get) for the browser tests');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  const installed = found();
  if (!installed) {
    console.error('✖ apt-get install chromium finished but no chromium executable was found.');
    process.exit(1);
  }
  return installed;
}
