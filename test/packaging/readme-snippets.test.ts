// Every TypeScript snippet of every README (the root one, packages/*, examples/*) is type-checked,
// each as a module of its own, against the built packages (their `dist/` declarations, as an
// installed package is seen: without the repository's source condition), in strict mode.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { allSnippets, extractSnippets } from './readme-snippets.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('README snippets', () => {
  it('finds fenced TypeScript blocks and their lines', () => {
    const markdown = ['# x', '```ts', 'const a = 1;', '```', '```sh', 'npm test', '```', '````typescript', 'b', '````'];
    assert.deepEqual(extractSnippets('X.md', markdown.join('\n')), [
      { readme: 'X.md', line: 2, code: 'const a = 1;\n' },
      { readme: 'X.md', line: 8, code: 'b\n' },
    ]);
  });

  it('reads the snippet-context comment just above a fence', () => {
    const markdown = ['<!-- snippet-context', 'declare const app: unknown;', '-->', '```ts', 'app;', '```'];
    assert.deepEqual(extractSnippets('X.md', markdown.join('\n')), [
      { readme: 'X.md', line: 4, code: 'app;\n', context: 'declare const app: unknown;\n' },
    ]);
    const detached = ['<!-- snippet-context', 'declare const app: unknown;', '-->', '', '```ts', 'app;', '```'];
    assert.equal(extractSnippets('X.md', detached.join('\n'))[0]?.context, undefined);
  });

  it('type-check against the built packages (strict, nodenext), each as a module of its own', () => {
    for (const name of ['client', 'web', 'api', 'express', 'hono', 'fastify', 'next', 'dev-server']) {
      assert.ok(
        existsSync(join(root, 'packages', name, 'dist', 'index.d.ts')),
        `packages/${name} is built (npm run build; npm test builds first)`,
      );
    }
    const snippets = allSnippets(root);
    assert.ok(snippets.length >= 20, `found ${snippets.length} snippets`);
    const dir = join(root, 'node_modules', '.cache', 'logto-kit-readme-snippets');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const origin = new Map<string, { readme: string; fence: number; contextLines: number }>();
    for (const snippet of snippets) {
      const file = `${snippet.readme.replace(/[/\\]/g, '_').replace(/\.md$/, '')}_L${snippet.line}.ts`;
      const context = snippet.context ?? '';
      origin.set(file, { readme: snippet.readme, fence: snippet.line, contextLines: context.split('\n').length - 1 });
      writeFileSync(join(dir, file), context + snippet.code);
    }
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2023',
          lib: ['es2023', 'dom', 'dom.iterable'],
          module: 'nodenext',
          moduleResolution: 'nodenext',
          moduleDetection: 'force',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        include: ['*.ts'],
      }),
    );
    const tsc = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', dir, '--pretty', 'false'], {
      cwd: dir,
      encoding: 'utf8',
    });
    // Name each error by its README and line (the snippet's first line is the fence's next one).
    const errors = `${tsc.stdout}${tsc.stderr}`.replace(/^(\S+?\.ts)\((\d+),(\d+)\)/gm, (whole, file, line, column) => {
      const where = origin.get(String(file));
      if (!where) return whole;
      const inBlock = Number(line) - where.contextLines;
      return inBlock > 0
        ? `${where.readme}:${where.fence + inBlock}:${column}`
        : `${where.readme}:${where.fence} (its snippet-context, line ${line})`;
    });
    assert.equal(tsc.status, 0, `README snippets that do not compile:\n${errors}`);
  });
});
