/** One reason Logto's password policy gives for refusing a new password (`password.rejected`'s `data`). */
export interface PasswordIssue {
  code: string;
  interpolation?: Record<string, number>;
}

/** Logto's default length bounds for a new password. */
export const passwordLength = { min: 8, max: 256 } as const;

/** The characters Logto counts as symbols; any character outside letters, digits and these is refused. */
const symbols = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ ';

/**
 * The checks of Logto's default password policy that need no outside service: length (8 to 256)
 * and supported characters (ASCII letters, digits, symbols). Returns the issues, empty when the
 * password is accepted.
 */
export function checkNewPassword(password: string): PasswordIssue[] {
  const issues: PasswordIssue[] = [];
  if (password.length < passwordLength.min) {
    issues.push({ code: 'password_rejected.too_short', interpolation: { min: passwordLength.min } });
  } else if (password.length > passwordLength.max) {
    issues.push({ code: 'password_rejected.too_long', interpolation: { max: passwordLength.max } });
  }
  const supported = [...password].every((char) => /[A-Za-z0-9]/.test(char) || symbols.includes(char));
  if (!supported) issues.push({ code: 'password_rejected.unsupported_characters' });
  return issues;
}
