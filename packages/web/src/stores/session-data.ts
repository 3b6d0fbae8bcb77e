import type { SessionData } from '../session-store.ts';

/**
 * Session data from its stored JSON, or `undefined` when the text is not a JSON object of
 * strings (written by something else, or damaged): such a session is treated as absent.
 */
export function parseSessionData(json: string): SessionData | undefined {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  if (!Object.values(data).every((entry) => typeof entry === 'string')) return undefined;
  return data as SessionData;
}
