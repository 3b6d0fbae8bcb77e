// A StrykerJS ignore-plugin: string and template literals that read as a sentence (an error
// message, a page's text) are not mutated. Changing a message's wording alters no decision, and the
// tests check messages only by the words that name the reason, so such mutants would survive by
// design and bury the ones that matter. Literals that are values (`'sig'`, `'verify'`, `'at+jwt'`,
// cookie names, claim names) contain no space and stay mutated.
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

interface LiteralPath {
  readonly node: {
    readonly type: string;
    readonly value?: unknown;
    readonly quasis?: readonly { readonly value: { readonly raw: string } }[];
  };
}

const sentence = /^[A-Z"'`(].*\s.*\S/s;

function literalText(path: LiteralPath): string | undefined {
  const { node } = path;
  if (node.type === 'StringLiteral' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && node.quasis) return node.quasis.map((quasi) => quasi.value.raw).join(' ');
  return undefined;
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'message-text', {
    shouldIgnore(path: LiteralPath): string | undefined {
      const text = literalText(path);
      return text !== undefined && sentence.test(text) && /\s\S+\s/.test(text) ? 'Message text' : undefined;
    },
  }),
];
