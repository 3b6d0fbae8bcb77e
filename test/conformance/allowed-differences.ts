// The differences between the dev server and the real Logto that remain on purpose, each with its
// reason. Any difference not listed here fails the conformance suite, and so does an entry that no
// longer matches any difference (the list never outlives what it excuses).

/** A difference that is allowed: `path` is a compared field's path, or a prefix of paths ending in `*`. */
export interface AllowedDifference {
  path: string;
  reason: string;
}

export const allowedDifferences: AllowedDifference[] = [
  {
    path: 'discovery.response.body.grant_types_supported["urn:ietf:params:oauth:grant-type:token-exchange"]',
    reason:
      "Token exchange trades a subject token that Logto's Management API or an external identity provider issues " +
      '(impersonation, federation); a local server has neither, so it does not advertise a grant it cannot serve.',
  },
  {
    path: 'client_credentials.organizationsResource.*',
    reason:
      'Security: Logto gives a machine-to-machine app that holds no organization role every organization scope ' +
      'when it asks for the urn:logto:resource:organizations resource; the dev server grants it none.',
  },
];
