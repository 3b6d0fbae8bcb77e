// The differences between the dev server and the real Logto that remain on purpose, each with its
// reason. Any difference not listed here fails the conformance suite, and so does an entry that no
// longer matches any difference (the list never outlives what it excuses).

/** A difference that is allowed: `path` is a compared field's path, or a prefix of paths ending in `*`. */
export interface AllowedDifference {
  path: string;
  reason: string;
}

export const allowedDifferences: AllowedDifference[] = [];
