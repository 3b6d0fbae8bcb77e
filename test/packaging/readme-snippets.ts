// The TypeScript snippets of the repository's READMEs, for the test that type-checks them.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One fenced TypeScript block of a README. */
export interface Snippet {
  /** The README, relative to the repository root. */
  readme: string;
  /** The line of the opening fence (1-based). */
  line: number;
  code: string;
  /**
   * What the block assumes from its surroundings (declarations of the reader's own `app`,
   * `config`, …), from an HTML comment `<!-- snippet-context … -->` that ends on the line just
   * above the fence: invisible on the rendered page, prepended to the block when it is checked.
   */
  context?: string;
}

/** The `<!-- snippet-context … -->` comment ending just above line `fence`, if any. */
function contextAbove(lines: string[], fence: number): string | undefined {
  if ((lines[fence - 1] ?? '').trim() !== '-->') return undefined;
  for (let index = fence - 2; index >= 0; index--) {
    const line = (lines[index] ?? '').trim();
    if (line === '<!-- snippet-context') return `${lines.slice(index + 1, fence - 1).join('\n')}\n`;
    if (line.includes('-->')) return undefined;
  }
  return undefined;
}

const opening = /^ {0,3}(`{3,}|~{3,})\s*(ts|typescript|tsx|mts)\b.*$/;

/** The TypeScript blocks (```ts, ```typescript, ```tsx, ```mts) of one Markdown text. */
export function extractSnippets(readme: string, markdown: string): Snippet[] {
  const snippets: Snippet[] = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const match = opening.exec(lines[index] ?? '');
    if (!match) continue;
    const fence = match[1] ?? '```';
    const start = index;
    const body: string[] = [];
    for (index++; index < lines.length && !(lines[index] ?? '').trimStart().startsWith(fence); index++) {
      body.push(lines[index] ?? '');
    }
    const context = contextAbove(lines, start);
    snippets.push({ readme, line: start + 1, code: `${body.join('\n')}\n`, ...(context ? { context } : {}) });
  }
  return snippets;
}

/** The READMEs whose snippets are checked: the root one, and each package's and example's. */
export function readmes(root: string): string[] {
  const found = [join(root, 'README.md')];
  for (const folder of ['packages', 'examples']) {
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const file = join(root, folder, entry.name, 'README.md');
      try {
        readFileSync(file);
        found.push(file);
      } catch {
        // A folder without a README has no snippets.
      }
    }
  }
  return found.map((file) => relative(root, file));
}

/** Every TypeScript snippet of every README. */
export function allSnippets(root: string): Snippet[] {
  return readmes(root).flatMap((readme) => extractSnippets(readme, readFileSync(join(root, readme), 'utf8')));
}
