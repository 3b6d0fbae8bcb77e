/**
 * What `LogtoClient` keeps in a session, as far as the web core needs to know it: whether a user
 * is signed in, which entries are a cache that can be obtained again, and the pending sign-ins
 * (oldest first), so a session can be kept small.
 */
import { StorageKey } from '@logto-kit/client';
import type { SessionData } from './session-store.ts';

/** The most pending sign-ins a session keeps; starting another drops the oldest. */
export const maxPendingSignIns = 5;

/** Whether the session holds a signed-in user (an ID token). */
export function isSignedIn(data: { get(key: string): string | undefined }): boolean {
  return Boolean(data.get(StorageKey.IdToken));
}

/**
 * Whether the session holds pending sign-ins and nothing else: what any site can make a browser
 * start, not worth a server-side store entry.
 */
export function holdsOnlyPendingSignIns(data: SessionData): boolean {
  const keys = Object.keys(data);
  return (
    keys.length > 0 && keys.every((key) => key.startsWith(StorageKey.SignInPrefix) || key === StorageKey.SignInIndex)
  );
}

/** The states of the session's pending sign-ins, oldest first. */
export function pendingSignInStates(data: SessionData): string[] {
  const fromIndex = parseIndex(data[StorageKey.SignInIndex]);
  const stored = Object.keys(data)
    .filter((key) => key.startsWith(StorageKey.SignInPrefix))
    .map((key) => key.slice(StorageKey.SignInPrefix.length));
  // Entries missing from the index (it was damaged) count as the oldest.
  const indexed = new Set(fromIndex);
  return [...stored.filter((state) => !indexed.has(state)), ...fromIndex.filter((state) => stored.includes(state))];
}

/** `data` keeping only the newest `keep` pending sign-ins. */
export function withNewestPendingSignIns(data: SessionData, keep: number): SessionData {
  const states = pendingSignInStates(data);
  if (states.length <= keep) return data;
  const dropped = new Set(states.slice(0, states.length - keep));
  const result: SessionData = {};
  for (const [key, value] of Object.entries(data)) {
    if (key.startsWith(StorageKey.SignInPrefix) && dropped.has(key.slice(StorageKey.SignInPrefix.length))) continue;
    result[key] = value;
  }
  const index = parseIndexEntries(data[StorageKey.SignInIndex]).filter((entry) => !dropped.has(entry.state));
  if (index.length > 0) result[StorageKey.SignInIndex] = JSON.stringify(index);
  else delete result[StorageKey.SignInIndex];
  return result;
}

/**
 * Lighter versions of `data`, each dropping more of what the session can do without: first the
 * cached access tokens (the refresh token obtains them again), then pending sign-ins, oldest first.
 */
export function* lighterSessions(data: SessionData): Generator<SessionData> {
  let current = data;
  if (StorageKey.AccessTokens in current) {
    const { [StorageKey.AccessTokens]: _cache, ...rest } = current;
    current = rest;
    yield current;
  }
  for (let keep = pendingSignInStates(current).length - 1; keep >= 0; keep -= 1) {
    current = withNewestPendingSignIns(current, keep);
    yield current;
  }
}

interface IndexEntry {
  state: string;
}

function parseIndexEntries(json: string | undefined): IndexEntry[] {
  if (json === undefined) return [];
  try {
    const value: unknown = JSON.parse(json);
    if (!Array.isArray(value)) return [];
    return value.filter(
      (entry): entry is IndexEntry =>
        typeof entry === 'object' && entry !== null && typeof (entry as IndexEntry).state === 'string',
    );
  } catch {
    return [];
  }
}

function parseIndex(json: string | undefined): string[] {
  return parseIndexEntries(json).map((entry) => entry.state);
}
