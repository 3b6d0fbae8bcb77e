/**
 * Where to send the user after sign-in or sign-out. Only a path on this application's own origin
 * is accepted: anything a browser could resolve to another origin is an open redirect.
 */

const maxLength = 2048;
const probeOrigin = 'https://return-to.invalid';

function decodeRepeatedly(value: string): string | undefined {
  let current = value;
  for (let round = 0; round < 4; round += 1) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return undefined;
    }
    if (next === current) return current;
    current = next;
  }
  return undefined;
}

function isUnsafePathText(value: string): boolean {
  // Browsers strip tabs and newlines from URLs and treat `\` as `/`, so `/\t/evil.com` and
  // `/\evil.com` both mean `//evil.com`; control characters have no place in a path.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return true;
  return !value.startsWith('/') || value.startsWith('//');
}

/**
 * Returns `value` when it is a same-origin path (`/orders?id=1#top`), normalized; otherwise
 * `undefined`. Refuses scheme-relative (`//evil.com`), backslash (`/\evil.com`), percent-encoded
 * (`/%2F%2Fevil.com`) and absolute URLs, control characters and anything that resolves to
 * another origin.
 */
export function safeReturnTo(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) return undefined;
  if (isUnsafePathText(value)) return undefined;
  const decoded = decodeRepeatedly(value);
  if (decoded === undefined || isUnsafePathText(decoded)) return undefined;

  let resolved: URL;
  try {
    resolved = new URL(value, probeOrigin);
  } catch {
    return undefined;
  }
  if (resolved.origin !== probeOrigin) return undefined;
  const path = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  // Removing dot segments can expose an encoded `//` (`/../%2F` → `/%2F`): check the result as the input was.
  const decodedPath = decodeRepeatedly(path);
  return isUnsafePathText(path) || decodedPath === undefined || isUnsafePathText(decodedPath) ? undefined : path;
}
