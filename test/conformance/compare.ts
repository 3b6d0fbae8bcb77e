// Field-by-field comparison of two normalised answers.

/** One field where the two servers answered differently. */
export interface Difference {
  /** `<case>.<field path>`, e.g. `discovery.body.grant_types_supported`. */
  path: string;
  logto: unknown;
  devServer: unknown;
}

const absent = '<absent>';

/**
 * Compares `logto` with `devServer` recursively; every leaf (and every field present on one side
 * only) counts as one comparison. Lists of values compare as sets (a difference per value present on one
 * side only, `path["value"]`); arrays of objects compare index by index.
 */
export function compare(
  path: string,
  logto: unknown,
  devServer: unknown,
  out: { differences: Difference[]; comparisons: number },
): void {
  const bothObjects =
    typeof logto === 'object' && logto !== null && typeof devServer === 'object' && devServer !== null;
  if (bothObjects && Array.isArray(logto) === Array.isArray(devServer)) {
    if (Array.isArray(logto) && Array.isArray(devServer) && logto.every(isLeaf) && devServer.every(isLeaf)) {
      // Lists of values compare as sets (normalisation sorted them): one comparison per value.
      const inLogto = new Set(logto.map((item) => JSON.stringify(item)));
      const inDevServer = new Set(devServer.map((item) => JSON.stringify(item)));
      const union = new Set([...inLogto, ...inDevServer]);
      out.comparisons += Math.max(1, union.size);
      for (const item of union) {
        if (inLogto.has(item) && inDevServer.has(item)) continue;
        out.differences.push({ path: `${path}[${item}]`, logto: inLogto.has(item), devServer: inDevServer.has(item) });
      }
      return;
    }
    const a = logto as Record<string, unknown>;
    const b = devServer as Record<string, unknown>;
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const child = Array.isArray(logto) ? `${path}[${key}]` : `${path}.${key}`;
      if (!(key in a) || !(key in b)) {
        out.comparisons += 1;
        out.differences.push({ path: child, logto: key in a ? a[key] : absent, devServer: key in b ? b[key] : absent });
        continue;
      }
      compare(child, a[key], b[key], out);
    }
    return;
  }
  out.comparisons += 1;
  if (JSON.stringify(logto) !== JSON.stringify(devServer)) out.differences.push({ path, logto, devServer });
}

function isLeaf(value: unknown): boolean {
  return typeof value !== 'object' || value === null;
}
