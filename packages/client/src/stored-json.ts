/** Parses a JSON value read from storage; a missing or corrupt value reads as undefined. */
export function parseStoredJson<T>(value: string | null | undefined): T | undefined {
  if (!value) return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}
