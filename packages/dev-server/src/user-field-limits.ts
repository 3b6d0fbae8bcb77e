/**
 * The longest value each user field may hold, as Logto's `users` table bounds it (characters).
 * Registration and the configuration refuse longer values, so no user field grows without bound.
 */
export const userFieldLimits = {
  username: 128,
  email: 128,
  phone: 128,
  name: 128,
  picture: 2048,
} as const;
