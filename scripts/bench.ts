// `npm run bench`: runs every benchmark in bench/ (or those named on the command line), one after
// the other so they do not compete for the CPU. Each prints its own comparison as ratios, with a
// target beside each figure; the run exits non-zero when a benchmark fails or misses a target.
// `npm run bench -- api:fresh` runs one part of a benchmark, where the benchmark has parts.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const requested = process.argv.slice(2).map((request) => {
  const [name = '', part] = request.split(':');
  return { name, part };
});
const all = readdirSync(new URL('../bench/', import.meta.url))
  .filter((name) => name.endsWith('.bench.ts'))
  .sort();
const selected =
  requested.length > 0
    ? all.flatMap((file) => requested.filter((r) => file.includes(r.name)).map((r) => ({ file, part: r.part })))
    : all.map((file) => ({ file, part: undefined }));

if (selected.length === 0) {
  console.error(`no benchmark matches ${process.argv.slice(2).join(', ') || '(none in bench/)'}`);
  process.exit(1);
}

let failed = false;
for (const { file, part } of selected) {
  console.log(`\n━━ ${file}${part ? ` (${part})` : ''} ━━`);
  const args = ['--conditions=@logto-kit/source', `bench/${file}`, ...(part ? [part] : [])];
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
