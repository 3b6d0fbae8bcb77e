// `npm run mutate [group…]`: mutation testing (StrykerJS) of the security-critical modules, one
// module group at a time, each against its own package's test files only. A group passes at 90%
// (killed / (killed + survived), leaving out the mutants listed in scripts/mutation/equivalents.json
// with the reason they cannot change behaviour). Not part of `npm test`: a full run takes a while.
// See CONTRIBUTING.md ("Mutation testing").
//
// Environment: MUTATE_CONCURRENCY (default 2) test processes at once; MUTATE_FORCE=1 re-tests every
// mutant (otherwise killed mutants of unchanged code keep their result from the previous run, kept in
// reports/mutation/<group>.incremental.json; survivors are always tested again); MUTATE_ONLY=<file>,…
// mutates only those modules of the group (while killing one module's survivors; the group's score
// is that of a run over all its modules).
import { copyFileSync, existsSync, globSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Stryker } from '@stryker-mutator/core';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

interface Group {
  /** The modules mutated. */
  readonly mutate: readonly string[];
  /** The package's own test files that run against each mutant (globs). */
  readonly tests: readonly string[];
  /** Test files the globs match that do not run (they need services or are slow). */
  readonly exclude?: readonly string[];
  /** Whether the test files can share one process (`--test-isolation=none`), which saves a start per file. */
  readonly shareProcess?: boolean;
  /**
   * Test files (of `tests`) that need a process of their own, run after the others and only if
   * they passed (a mutant the first run kills costs no more).
   */
  readonly ownProcess?: readonly string[];
}

/** The security-critical modules, by group. */
export const groups: Readonly<Record<string, Group>> = {
  client: {
    mutate: [
      'packages/client/src/id-token.ts',
      'packages/client/src/pending-sign-ins.ts',
      'packages/client/src/token-endpoint.ts',
      'packages/client/src/client.ts',
    ],
    tests: ['packages/client/src/*.test.ts'],
    // The integration tests run the dev server (slow); the runtime-neutrality test reads the
    // sources, which Stryker's instrumentation fills with `process.env` look-ups.
    exclude: [
      'packages/client/src/client.integration.test.ts',
      'packages/client/src/m2m-client.integration.test.ts',
      'packages/client/src/no-node-imports.test.ts',
    ],
    // One process for all the files: a run takes about 2 s instead of 10 s.
    shareProcess: true,
  },
  api: {
    mutate: [
      'packages/api/src/verify-access-token.ts',
      'packages/api/src/access-token-header.ts',
      'packages/api/src/access-token-claims.ts',
      'packages/api/src/key-source.ts',
      'packages/api/src/key-selection.ts',
      'packages/api/src/check-signature.ts',
      'packages/api/src/algorithms.ts',
      'packages/api/src/signature.node.ts',
      'packages/api/src/requirements.ts',
      'packages/api/src/claim-values.ts',
      'packages/api/src/verified-token-cache.ts',
      'packages/api/src/request-guard.ts',
    ],
    tests: [
      'packages/api/src/verify-access-token.test.ts',
      'packages/api/src/claim-boundaries.test.ts',
      'packages/api/src/claim-types.test.ts',
      'packages/api/src/requirements.test.ts',
      'packages/api/src/signature.test.ts',
      'packages/api/src/verified-token-cache*.test.ts',
      'packages/api/src/claim-values.test.ts',
      'packages/api/src/authenticate-request.test.ts',
      'packages/api/src/request-guard.test.ts',
      // The verifier's suites again on the Web Crypto layer, whose answers are promises: the
      // verifier's asynchronous paths are taken only there.
      'packages/api/src/web-crypto.test.ts',
    ],
    shareProcess: true,
    // It points the package's imports at the Web Crypto layer before loading the suites again.
    ownProcess: ['packages/api/src/web-crypto.test.ts'],
  },
  // The Web Crypto signature layer, under the verifier's suites re-run on that layer.
  'api-web': {
    mutate: ['packages/api/src/signature.web.ts'],
    tests: ['packages/api/src/web-crypto.test.ts'],
  },
  web: {
    mutate: [
      'packages/web/src/return-to.ts',
      'packages/web/src/cookie-session.ts',
      'packages/web/src/session-cookies.ts',
      'packages/web/src/session.ts',
      'packages/web/src/session-manager.ts',
      'packages/web/src/store-sync.ts',
      'packages/web/src/routes.ts',
      'packages/web/src/logto-core.ts',
      'packages/web/src/authenticated.ts',
    ],
    // The synced-lock tests drive sessions over a MemoryStore (the other store tests need Redis and PostgreSQL).
    tests: ['packages/web/src/*.test.ts', 'packages/web/src/stores/session-synced-lock.test.ts'],
    // Reads the sources, which Stryker's instrumentation fills with `process.env` look-ups.
    exclude: ['packages/web/src/no-node-imports.test.ts'],
    // One process for all the files: a run takes about 2 s instead of 8 s.
    shareProcess: true,
  },
  'dev-server': {
    mutate: [
      'packages/dev-server/src/permissions.ts',
      'packages/dev-server/src/refresh-token-grant.ts',
      'packages/dev-server/src/passwords.ts',
      'packages/dev-server/src/csrf.ts',
      'packages/dev-server/src/rate-limit.ts',
    ],
    tests: [
      'packages/dev-server/src/passwords.test.ts',
      'packages/dev-server/src/csrf.test.ts',
      'packages/dev-server/src/rate-limit.test.ts',
      'packages/dev-server/src/security-rules.test.ts',
      'packages/dev-server/src/refresh-token-grant.test.ts',
      'packages/dev-server/src/resource-tokens.test.ts',
    ],
    shareProcess: true,
  },
};

/** A mutant that cannot change behaviour, and why. Matched on the file, the mutator, the code replaced and its replacement. */
interface Equivalent {
  readonly file: string;
  readonly mutator: string;
  readonly original: string;
  readonly replacement: string;
  readonly reason: string;
}

const equivalentsFile = 'scripts/mutation/equivalents.json';
const equivalents: readonly Equivalent[] = JSON.parse(readFileSync(equivalentsFile, 'utf8'));
const threshold = 90;

interface Location {
  readonly start: { readonly line: number; readonly column: number };
  readonly end: { readonly line: number; readonly column: number };
}

/** The source text a mutant replaced (lines and columns of Stryker's report are 1-based). */
function originalText(source: readonly string[], { start, end }: Location): string {
  const lines = source.slice(start.line - 1, end.line);
  if (lines.length === 1) return (lines[0] ?? '').slice(start.column - 1, end.column - 1);
  lines[0] = (lines[0] ?? '').slice(start.column - 1);
  lines[lines.length - 1] = (lines[lines.length - 1] ?? '').slice(0, end.column - 1);
  return lines.join('\n');
}

const normalise = (code: string) => code.replace(/\s+/g, ' ').trim();

/**
 * Stryker's incremental mode, without per-test coverage (the command runner reports none), would
 * reuse every earlier result, survivors too, so a new test would never be seen to kill one. Keep
 * only the killed mutants of the previous run: those of unchanged code are not tested again, every
 * other one is.
 */
function keepOnlyKilled(file: string): void {
  let report: { files?: Record<string, { mutants: { status: string }[] }> };
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return;
  }
  for (const entry of Object.values(report.files ?? {})) {
    entry.mutants = entry.mutants.filter((mutant) => mutant.status === 'Killed' || mutant.status === 'Timeout');
  }
  writeFileSync(file, JSON.stringify(report));
}

const selected = process.argv.slice(2);
for (const name of selected) {
  if (!(name in groups)) throw new Error(`Unknown mutation group "${name}": use ${Object.keys(groups).join(', ')}.`);
}
mkdirSync('reports/mutation', { recursive: true });

const summary: {
  group: string;
  killed: number;
  survived: number;
  equivalent: number;
  score: number;
  seconds: number;
}[] = [];
let failed = false;
for (const [group, { mutate, tests, exclude = [], shareProcess = false, ownProcess = [] }] of Object.entries(groups)) {
  if (selected.length > 0 && !selected.includes(group)) continue;
  const only = process.env.MUTATE_ONLY?.split(',').filter(Boolean);
  const mutated = only ? mutate.filter((file) => only.includes(file)) : mutate;
  if (mutated.length === 0) continue;
  const started = Date.now();
  // A partial run starts from the group's results and keeps its own, so as not to lose the other modules'.
  const incrementalFile = `reports/mutation/${group}${only ? '.part' : ''}.incremental.json`;
  if (only && existsSync(`reports/mutation/${group}.incremental.json`)) {
    copyFileSync(`reports/mutation/${group}.incremental.json`, incrementalFile);
  }
  keepOnlyKilled(incrementalFile);
  const files = globSync([...tests])
    .filter((file) => !exclude.includes(file))
    .sort();
  const isolation = shareProcess ? ' --test-isolation=none' : '';
  const run = (isolated: string, list: readonly string[]) =>
    `node --conditions=@logto-kit/source --test --test-concurrency=1${isolated} --test-timeout=60000 ${list.join(' ')}`;
  const command = [
    run(
      isolation,
      files.filter((file) => !ownProcess.includes(file)),
    ),
    ...(ownProcess.length > 0 ? [run('', ownProcess)] : []),
  ].join(' && ');
  const stryker = new Stryker({
    mutate: [...mutated],
    testRunner: 'command',
    commandRunner: { command },
    coverageAnalysis: 'off',
    concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 2),
    // A mutant that loops forever is stopped this long after a normal run would have ended.
    timeoutMS: 8000,
    reporters: ['clear-text', 'progress', 'json'],
    jsonReporter: { fileName: `reports/mutation/${group}${only ? '.part' : ''}.json` },
    clearTextReporter: { reportTests: false, reportMutants: true, reportScoreTable: true },
    incremental: true,
    incrementalFile,
    force: process.env.MUTATE_FORCE === '1',
    tempDirName: '.stryker-tmp',
    // Node runs the TypeScript sources as they are: nothing to type-check or rewrite (and the
    // repository's TypeScript has no JavaScript API for Stryker's tsconfig rewriting).
    tsconfigFile: 'no-tsconfig-for-mutation.json',
    disableTypeChecks: false,
    ignorePatterns: ['dist', '.logto-kit', 'reports', 'coverage', 'test-results', 'release', 'bench', 'examples'],
    appendPlugins: [fileURLToPath(new URL('./mutation/message-text-ignorer.ts', import.meta.url))],
    ignorers: ['message-text'],
    thresholds: { high: 95, low: threshold, break: null },
  });
  const results = await stryker.runMutationTest();

  const sources = new Map<string, string[]>();
  let killed = 0;
  let survived = 0;
  let equivalent = 0;
  const survivors: string[] = [];
  for (const mutant of results) {
    if (mutant.status === 'Killed' || mutant.status === 'Timeout') killed += 1;
    else if (mutant.status === 'Survived' || mutant.status === 'NoCoverage') {
      const file = mutant.fileName.startsWith(root) ? mutant.fileName.slice(root.length) : mutant.fileName;
      let source = sources.get(file);
      if (source === undefined) {
        source = readFileSync(file, 'utf8').split('\n');
        sources.set(file, source);
      }
      const original = normalise(originalText(source, mutant.location));
      const replacement = normalise(mutant.replacement ?? '');
      const listed = equivalents.some(
        (entry) =>
          entry.file === file &&
          entry.mutator === mutant.mutatorName &&
          normalise(entry.original) === original &&
          normalise(entry.replacement) === replacement,
      );
      if (listed) equivalent += 1;
      else {
        survived += 1;
        survivors.push(
          `${file}:${mutant.location.start.line} ${mutant.mutatorName}: ${JSON.stringify(original)} → ${JSON.stringify(replacement)}`,
        );
      }
    }
  }
  const score = killed + survived === 0 ? 100 : (100 * killed) / (killed + survived);
  const seconds = Math.round((Date.now() - started) / 1000);
  summary.push({ group: only ? `${group} (part)` : group, killed, survived, equivalent, score, seconds });
  if (survivors.length > 0) {
    console.log(`\nSurviving mutants of ${group} (kill each with a test, or list it in ${equivalentsFile}):`);
    for (const line of survivors) console.log(`  ${line}`);
  }
  if (score < threshold) failed = true;
}

console.log('\ngroup       killed  survived  equivalent  score    time');
for (const row of summary) {
  console.log(
    `${row.group.padEnd(12)}${String(row.killed).padStart(6)}${String(row.survived).padStart(10)}${String(row.equivalent).padStart(12)}  ${row.score.toFixed(1).padStart(5)}%  ${row.seconds} s`,
  );
}
writeFileSync('reports/mutation/summary.json', `${JSON.stringify(summary, null, 2)}\n`);
if (failed) {
  console.error(`\n✖ a group scored under ${threshold}%`);
  process.exit(1);
}
