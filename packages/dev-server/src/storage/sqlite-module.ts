// Node's built-in SQLite, loaded on first use. On Node 22 loading it prints "ExperimentalWarning:
// SQLite is an experimental feature…" on every start; the dev server chose it knowingly, so that
// one notice is dropped while the module loads. Every other warning still goes through.
type SqliteModule = typeof import('node:sqlite');

let loaded: SqliteModule | undefined;

function isSqliteNotice(warning: string | Error, rest: unknown[]): boolean {
  const message = typeof warning === 'string' ? warning : warning.message;
  const type = typeof warning === 'string' ? rest[0] : warning.name;
  const typeName = typeof type === 'object' && type !== null ? (type as { type?: unknown }).type : type;
  return typeName === 'ExperimentalWarning' && message.startsWith('SQLite is an experimental feature');
}

/** `node:sqlite`, without its experimental-feature warning. */
export function sqliteModule(): SqliteModule {
  if (loaded) return loaded;
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (isSqliteNotice(warning, rest)) return;
    (emitWarning as (warning: string | Error, ...rest: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    loaded = process.getBuiltinModule('node:sqlite');
  } finally {
    process.emitWarning = emitWarning;
  }
  return loaded;
}
