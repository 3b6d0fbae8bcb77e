// `npm run bench`: runs every benchmark in bench/ (or those named on the command line), one after
// the other so they do not compete for the CPU. Each prints its own comparison as ratios.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const requested = process.argv.slice(2);
const all = readdirSync(new URL('../bench/', import.meta.url))
  .filter((name) => name.endsWith('.bench.ts'))
  .sort();
const selected = requested.length > 0 ? all.filter((name) => requested.some((r) => name.includes(r))) : all;

if (selected.length === 0) {
  console.error(`no benchmark matches ${requested.join(', ') || '(none in bench/)'}`);
  process.exit(1);
}

let failed = false;
for (const name of selected) {
  console.log(`\n━━ ${name} ━━`);
  const result = spawnSync(process.execPath, ['--conditions=@logto-kit/source', `bench/${name}`], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
