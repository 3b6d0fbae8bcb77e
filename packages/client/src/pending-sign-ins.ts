import { type Storage, StorageKey } from './storage.ts';
import { parseStoredJson } from './stored-json.ts';

/** What the callback needs from the sign-in that started it. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  postRedirectUri?: string;
  expiresAt: number;
}

/** How long a pending sign-in stays valid. */
export const signInLifetimeMs = 10 * 60 * 1000;
/** At most this many pending sign-ins are kept per storage (the oldest are dropped). */
const maxPendingSignIns = 20;
/** The shape of a `state` this client generates: base64url, 256 bits. */
const stateFormat = /^[A-Za-z0-9_-]{43}$/;

type SignInIndex = { state: string; expiresAt: number }[];

/**
 * Stores a pending sign-in under its own key (several sign-ins may be in flight, e.g. in two
 * tabs), and prunes expired and surplus ones through a small index.
 */
export async function savePendingSignIn(storage: Storage, signIn: PendingSignIn, now: number): Promise<void> {
  const index = parseStoredJson<SignInIndex>(await storage.get(StorageKey.SignInIndex)) ?? [];
  const live = index.filter((entry) => entry.expiresAt > now);
  const dropped = index.filter((entry) => entry.expiresAt <= now);
  live.push({ state: signIn.state, expiresAt: signIn.expiresAt });
  while (live.length > maxPendingSignIns) {
    const oldest = live.shift();
    if (oldest) dropped.push(oldest);
  }
  for (const entry of dropped) await storage.delete(StorageKey.SignInPrefix + entry.state);
  await storage.set(StorageKey.SignInPrefix + signIn.state, JSON.stringify(signIn));
  await storage.set(StorageKey.SignInIndex, JSON.stringify(live));
}

/**
 * Reads and deletes (single use) the pending sign-in of `state`. Undefined when the state is
 * malformed, unknown, already used or expired; a malformed state never reaches the storage.
 */
export async function takePendingSignIn(
  storage: Storage,
  state: string | null,
  now: number,
): Promise<PendingSignIn | undefined> {
  if (state === null || !stateFormat.test(state)) return undefined;
  const key = StorageKey.SignInPrefix + state;
  const signIn = parseStoredJson<PendingSignIn>(await storage.get(key));
  await storage.delete(key);
  const index = parseStoredJson<SignInIndex>(await storage.get(StorageKey.SignInIndex));
  if (index?.some((entry) => entry.state === state)) {
    await storage.set(StorageKey.SignInIndex, JSON.stringify(index.filter((entry) => entry.state !== state)));
  }
  if (!signIn || signIn.state !== state || now >= signIn.expiresAt) return undefined;
  return signIn;
}

/** The pending sign-in of `state` without consuming it; undefined when malformed, unknown or expired. */
export async function peekPendingSignIn(
  storage: Storage,
  state: string | null,
  now: number,
): Promise<PendingSignIn | undefined> {
  if (state === null || !stateFormat.test(state)) return undefined;
  const signIn = parseStoredJson<PendingSignIn>(await storage.get(StorageKey.SignInPrefix + state));
  if (!signIn || signIn.state !== state || now >= signIn.expiresAt) return undefined;
  return signIn;
}
