/** The URL paths of the routes, with the configured prefix. */
export interface LogtoPaths {
  /** `GET <prefix>/sign-in?returnTo=/path` starts a sign-in. */
  signIn: string;
  /** `GET <prefix>/sign-up` starts a sign-in on the registration screen. */
  signUp: string;
  /** `GET <prefix>/callback`, where the provider returns after sign-in. */
  callback: string;
  /** `POST <prefix>/sign-out` (same-origin) signs out; `GET` answers a confirmation page. */
  signOut: string;
  /** The back-channel logout route (served only with `backChannelLogout`). */
  backChannelLogout: string;
}
