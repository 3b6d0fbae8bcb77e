/** Token and session lifetimes, in seconds. */
export interface Lifetimes {
  /** Access tokens, unless the resource sets `accessTokenTtl`. */
  accessToken: number;
  idToken: number;
  authorizationCode: number;
  /** Refresh tokens, and the grants behind them. */
  refreshToken: number;
  session: number;
  /** How long a sign-in page stays usable. */
  interaction: number;
}
