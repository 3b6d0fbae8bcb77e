/** The Experience API's error codes that the dev server answers, with Logto's status and phrase for each. */
export const experienceErrors = {
  'session.not_found': { status: 400, message: 'Session not found. Please go back and sign in again.' },
  'session.interaction_not_found': {
    status: 404,
    message: 'Interaction session not found. Please go back and start the session again.',
  },
  'session.invalid_credentials': { status: 422, message: 'Incorrect account or password. Please check your input.' },
  'session.verification_session_not_found': {
    status: 404,
    message: 'The verification was not successful. Restart the verification flow and try again.',
  },
  'session.verification_blocked_too_many_attempts': {
    status: 400,
    message: 'Too many attempts in a short time. Please try again {{relativeTime}}.',
  },
  'session.identifier_not_found': {
    status: 404,
    message: 'User identifier not found. Please go back and sign in again.',
  },
  'session.invalid_interaction_type': {
    status: 400,
    message: 'This operation is not supported for the current interaction. Please initiate a new session.',
  },
  'session.not_supported_for_forgot_password': {
    status: 400,
    message: 'This operation is not supported for forgot password.',
  },
  'user.missing_profile': { status: 422, message: 'You need to provide additional info before signing-in.' },
  'user.username_already_in_use': { status: 422, message: 'This username is already in use.' },
  'password.rejected': {
    status: 422,
    message: 'Password rejected. Please check if your password meets the requirements.',
  },
  'guard.invalid_input': { status: 400, message: 'The request {{type}} is invalid.' },
  'request.invalid_input': { status: 400, message: 'Input is invalid. {{details}}' },
} as const;

/** An Experience API error code. */
export type ExperienceErrorCode = keyof typeof experienceErrors;

/**
 * An Experience API error, answered as Logto's `RequestError`: the HTTP status of its code and a
 * JSON body `{ code, message, data?, details? }` (plus OAuth's `error` fields where Logto adds them).
 */
export class ExperienceError extends Error {
  readonly code: ExperienceErrorCode;
  readonly status: number;
  readonly body: Record<string, unknown>;

  constructor(
    code: ExperienceErrorCode,
    extra: {
      data?: unknown;
      details?: string;
      interpolation?: Record<string, string>;
      oauth?: Record<string, string>;
    } = {},
  ) {
    let message: string = experienceErrors[code].message;
    for (const [name, value] of Object.entries(extra.interpolation ?? {})) {
      message = message.replace(`{{${name}}}`, value);
    }
    super(message);
    this.name = 'ExperienceError';
    this.code = code;
    this.status = experienceErrors[code].status;
    this.body = {
      code,
      ...(extra.data === undefined ? {} : { data: extra.data }),
      ...(extra.details === undefined ? {} : { details: extra.details }),
      message,
      ...extra.oauth,
    };
  }
}
