/**
 * The `logto-kit-dev-server` command line (`npx @logto-kit/dev-server …` runs it):
 *
 * ```
 * logto-kit-dev-server [dev] [--port 3001] [--host localhost] [--config FILE] [--app-url URL]…
 *                      [--data DIR | --memory | --database URL]
 * logto-kit-dev-server [dev] rotate-keys [--data DIR | --database URL]
 * logto-kit-dev-server --help
 * ```
 *
 * @module
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { AppUrlError, withAppUrls } from './app-urls.ts';
import type { DevServerConfig } from './config.ts';
import { ConfigError, loadConfigFile } from './config-validation.ts';
import { demoWorld } from './demo-world.ts';
import { databaseFile, defaultDataDir, rotateKeys, startDevServer } from './server.ts';
import { postgresOptionsFromUrl, redactDatabaseUrl } from './storage/database-url.ts';

/** Where the CLI writes, and the signals that stop the server (injected by tests). */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Resolves when the server should stop (default: on SIGINT or SIGTERM). */
  stopSignal?: Promise<unknown>;
}

const usage = `Usage:
  logto-kit-dev-server [dev] [options]   Start the local Logto-compatible identity server
  logto-kit-dev-server rotate-keys [--data DIR | --database URL]
                                         Add a new signing key (used from the next start)
  logto-kit-dev-server --help            Show this help

Without installing: npx @logto-kit/dev-server [options]

Options:
  --port <number>    Port to listen on (default 3001; 0 picks a free port)
  --host <name>      Interface to listen on (default localhost)
  --config <file>    JSON configuration: applications, resources, roles, organizationRoles,
                     organizations, users (default: the demo world)
  --app-url <url>    Register a web app's URL for the configuration's web application (the demo
                     world's sample-web-app): redirect URI <url>/callback and post-logout
                     redirect URI <url>/ (repeatable), e.g. --app-url http://localhost:5173
  --data <dir>       Where the SQLite database and signing keys live (default ${defaultDataDir})
  --memory           Keep everything in memory (nothing survives a restart)
  --database <url>   Keep everything in PostgreSQL, postgres://user:password@host:port/db[?schema=name];
                     several instances on one database serve one identity server
`;

class UsageError extends Error {}

/** `--database`, checked early so a typo is a usage error rather than a connection failure. */
function databaseOption(value: string): string {
  try {
    postgresOptionsFromUrl(value);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return value;
}

function defaultIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  };
}

function stopOnSignals(): { promise: Promise<string>; dispose: () => void } {
  let dispose = () => {};
  const promise = new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => resolve(signal);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    dispose = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  });
  return { promise, dispose };
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 3001;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535)
    throw new UsageError(`--port must be a number from 0 to 65535, got "${value}"`);
  return port;
}

function demoCredentials(config: DevServerConfig): string {
  const lines = ['Demo world (published development credentials; never use them elsewhere):'];
  for (const user of config.users) lines.push(`  user         ${user.username} / ${user.password}`);
  for (const app of config.applications) {
    const redirect = app.redirectUris?.length ? `, redirect URI ${app.redirectUris.join(' ')}` : '';
    lines.push(
      `  ${app.type === 'traditional' ? 'web app     ' : 'm2m app     '} ${app.id} / ${app.secret}${redirect}`,
    );
  }
  for (const resource of config.resources)
    lines.push(`  API resource ${resource.indicator} (${resource.scopes.join(', ')})`);
  return `${lines.join('\n')}\n`;
}

async function runDev(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      config: { type: 'string' },
      data: { type: 'string' },
      memory: { type: 'boolean' },
      database: { type: 'string' },
      'app-url': { type: 'string', multiple: true },
    },
    strict: true,
    allowPositionals: false,
  });
  if (
    [values.memory, values.data, values.database].filter((value) => value !== undefined && value !== false).length > 1
  ) {
    throw new UsageError('use only one of --data, --memory and --database');
  }
  const database = values.database === undefined ? undefined : databaseOption(values.database);
  const port = parsePort(values.port);
  const config = withAppUrls(
    values.config === undefined ? demoWorld : await loadConfigFile(values.config),
    values['app-url'] ?? [],
  );
  const dataDir = values.data ?? defaultDataDir;

  const signals = io.stopSignal ? undefined : stopOnSignals();
  const stop = io.stopSignal ?? signals?.promise;
  let server: Awaited<ReturnType<typeof startDevServer>>;
  try {
    server = await startDevServer({
      port,
      config,
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(database ? { database } : values.memory ? { memory: true } : { dataDir }),
    });
  } catch (error) {
    signals?.dispose();
    if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
      io.stderr(`logto-kit-dev-server: port ${port} is already in use; choose another with --port\n`);
      return 1;
    }
    throw error;
  }

  io.stdout(
    [
      'logto-kit dev server is running',
      `  issuer      ${server.issuer}`,
      `  discovery   ${server.issuer}/.well-known/openid-configuration`,
      `  storage     ${database ? `PostgreSQL ${redactDatabaseUrl(database)}` : values.memory ? 'memory (nothing is kept)' : `SQLite ${databaseFile(dataDir)}`}`,
      `  config      ${values.config ?? 'the demo world (default)'}`,
      '',
    ].join('\n'),
  );
  if (values.config === undefined) io.stdout(demoCredentials(config));
  io.stdout('Press Ctrl+C to stop.\n');

  await stop;
  signals?.dispose();
  await server.close();
  io.stdout('logto-kit dev server stopped\n');
  return 0;
}

async function runRotateKeys(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { data: { type: 'string' }, database: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.data !== undefined && values.database !== undefined) {
    throw new UsageError('use only one of --data and --database');
  }
  if (values.database !== undefined) {
    const database = databaseOption(values.database);
    const { kid } = await rotateKeys({ database });
    io.stdout(`Added signing key ${kid} to PostgreSQL ${redactDatabaseUrl(database)}; it signs from the next start.\n`);
    return 0;
  }
  const dataDir = values.data ?? defaultDataDir;
  const { kid } = await rotateKeys({ dataDir });
  io.stdout(`Added signing key ${kid} to ${databaseFile(dataDir)}; it signs from the next start.\n`);
  return 0;
}

/**
 * Runs the CLI with `argv` (the arguments after the program name) and resolves to the exit code:
 * 0 on success, 1 when the configuration or the server fails, 2 for a usage error. `dev` resolves
 * only after the server stopped (SIGINT / SIGTERM, or `io.stopSignal`).
 */
export async function main(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  const args = [...argv];
  try {
    if (args[0] === 'help' || args.includes('--help') || args.includes('-h')) {
      io.stdout(usage);
      return 0;
    }
    // `dev` is optional: `npx @logto-kit/dev-server` and `… dev` both start the server.
    if (args[0] === 'dev') args.shift();
    if (args[0] === 'rotate-keys') return await runRotateKeys(args.slice(1), io);
    if (args[0] !== undefined && !args[0].startsWith('-')) throw new UsageError(`unknown command "${args[0]}"`);
    return await runDev(args, io);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`logto-kit-dev-server: invalid configuration: ${error.message}\n`);
      return 1;
    }
    if (
      error instanceof UsageError ||
      error instanceof AppUrlError ||
      (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      io.stderr(`logto-kit-dev-server: ${error.message}\n\n${usage}`);
      return 2;
    }
    io.stderr(`logto-kit-dev-server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await main(process.argv.slice(2));
}
