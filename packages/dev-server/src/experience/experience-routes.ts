import { randomBytes } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { AccountDirectory } from '../accounts.ts';
import type { InteractionDetails, InteractionProvider } from '../interactions/interaction-provider.ts';
import { hashPassword } from '../passwords.ts';
import { SignInThrottle } from '../sign-in-throttle.ts';
import { userFieldLimits } from '../user-field-limits.ts';
import { ExperienceError } from './experience-error.ts';
import { checkNewPassword } from './password-policy.ts';

/** The accounts as the Experience API needs them. */
export interface ExperienceAccounts extends AccountDirectory {
  registerWithPasswordHash(input: { username: string; passwordHash: string }): Promise<{ id: string }>;
  usernameTaken(username: string): Promise<boolean>;
}

/** Options of {@link createExperienceRoutes}. */
export interface ExperienceRoutesOptions {
  provider: InteractionProvider;
  accounts: ExperienceAccounts;
  /** The failed sign-in limit, shared with the HTML pages. */
  throttle: SignInThrottle;
}

type InteractionEvent = 'SignIn' | 'Register' | 'ForgotPassword';
const interactionEvents: readonly string[] = ['SignIn', 'Register', 'ForgotPassword'];

/** What one sign-in or registration has established so far; kept in the interaction (its `result.experience`). */
interface ExperienceState {
  interactionEvent: InteractionEvent;
  /** Verified passwords, by verification id. */
  verifications: { id: string; type: 'Password'; accountId: string }[];
  /** The identified (or created) user. */
  userId?: string;
  /** A registration's profile so far; the password only as its scrypt hash. */
  profile: { username?: string; passwordHash?: string };
}

/** The largest request body accepted: every Experience API body is a few short fields. */
const maxBodyBytes = 16 * 1024;

/** Logto's username rule. */
const usernamePattern = /^[A-Z_a-z]\w*$/;

/**
 * Logto's Experience API for password sign-in and registration (`/api/experience`), the API
 * Logto's own sign-in UI, custom sign-in pages and automated tests drive. Each request needs the
 * pending authorization's interaction cookie (set by `/oidc/auth`):
 *
 * - `PUT /api/experience` `{ interactionEvent: "SignIn" | "Register" }` → 204, starts over;
 * - `PUT /api/experience/interaction-event` `{ interactionEvent }` → 204;
 * - `POST /api/experience/verification/password` `{ identifier: { type, value }, password }` →
 *   `{ verificationId }`, or 422 `session.invalid_credentials`; failures are throttled per account
 *   and client address (400 `session.verification_blocked_too_many_attempts`);
 * - `POST /api/experience/profile` `{ type: "username" | "password", value }` → 204 (registration);
 * - `POST /api/experience/identification` `{ verificationId }` → 204 (sign-in), or `{}` → 201
 *   (registration: creates the user);
 * - `POST /api/experience/submit` → `{ redirectTo }`, where the browser resumes the authorization;
 * - `GET /api/experience/interaction` → the state so far (no secrets).
 *
 * Bodies must be JSON (400 otherwise), so a cross-site form cannot drive a user's sign-in.
 * Errors answer as Logto's: `{ code, message, data? }` with Logto's status for the code.
 */
export function createExperienceRoutes(options: ExperienceRoutesOptions): Middleware {
  const { provider, accounts, throttle } = options;

  const save = async (ctx: Context, details: InteractionDetails, state: ExperienceState) => {
    await provider.interactionResult(
      ctx.req,
      ctx.res,
      { ...(details.result ?? {}), experience: state },
      { mergeWithLastSubmission: false },
    );
  };

  const routes: Record<
    string,
    (ctx: Context, details: InteractionDetails, body: Record<string, unknown>) => Promise<void>
  > = {
    'PUT /api/experience': async (ctx, details, body) => {
      const interactionEvent = eventOf(body);
      await save(ctx, details, { interactionEvent, verifications: [], profile: {} });
      ctx.status = 204;
    },
    'PUT /api/experience/interaction-event': async (ctx, details, body) => {
      const state = stateOf(details);
      await save(ctx, details, { ...state, interactionEvent: eventOf(body) });
      ctx.status = 204;
    },
    'GET /api/experience/interaction': async (ctx, details) => {
      const state = stateOf(details);
      ctx.body = {
        interactionEvent: state.interactionEvent,
        ...(state.userId ? { userId: state.userId } : {}),
        profile: state.profile.username ? { username: state.profile.username } : {},
        verificationRecords: state.verifications.map(({ id, type }) => ({ id, type, verified: true })),
      };
    },
    'POST /api/experience/verification/password': async (ctx, details, body) => {
      const state = stateOf(details);
      const { type, value, password } = passwordPayload(body);
      // A username never contains `@`, an email always does: an identifier of the wrong type names no one.
      const named = (type === 'username' && !value.includes('@')) || (type === 'email' && value.includes('@'));
      const accountId = named ? await accounts.accountIdOf(value) : undefined;
      const key = SignInThrottle.key(accountId, value);
      const ip = ctx.ip || 'unknown';
      const waitMs = throttle.retryAfterMs(key, ip);
      if (waitMs > 0) {
        const minutes = Math.max(1, Math.round(waitMs / 60_000));
        throw new ExperienceError('session.verification_blocked_too_many_attempts', {
          interpolation: { relativeTime: new Intl.RelativeTimeFormat('en').format(minutes, 'minute') },
        });
      }
      const verified = accountId === undefined ? undefined : await accounts.verifyPassword(value, password);
      if (verified === undefined || verified !== accountId) {
        throttle.recordFailure(key, ip);
        throw new ExperienceError('session.invalid_credentials');
      }
      throttle.recordSuccess(key);
      const id = randomBytes(16).toString('base64url').slice(0, 21);
      const verifications = [...state.verifications.filter((record) => record.type !== 'Password')];
      verifications.push({ id, type: 'Password', accountId: verified });
      await save(ctx, details, { ...state, verifications });
      ctx.body = { verificationId: id };
    },
    'POST /api/experience/profile': async (ctx, details, body) => {
      const state = stateOf(details);
      if (state.interactionEvent === 'ForgotPassword')
        throw new ExperienceError('session.not_supported_for_forgot_password');
      const profile = { ...state.profile };
      if (body.type === 'username') {
        const username = invalidUnless(body.value, (value) => usernamePattern.test(value), 'value');
        if (username.length > userFieldLimits.username) throw invalidBody('value', 'too_big');
        if (await accounts.usernameTaken(username)) throw new ExperienceError('user.username_already_in_use');
        profile.username = username;
      } else if (body.type === 'password') {
        const password = invalidUnless(body.value, () => true, 'value');
        const issues = checkNewPassword(password);
        if (issues.length > 0) throw new ExperienceError('password.rejected', { data: issues });
        profile.passwordHash = await hashPassword(password);
      } else if (body.type === 'email' || body.type === 'phone' || body.type === 'social') {
        // Verification codes and social sign-in need connectors, which a local server has none of.
        throw new ExperienceError('session.verification_session_not_found');
      } else {
        throw invalidBody('type', 'invalid_union_discriminator');
      }
      await save(ctx, details, { ...state, profile });
      ctx.status = 204;
    },
    'POST /api/experience/identification': async (ctx, details, body) => {
      const state = stateOf(details);
      if (state.interactionEvent === 'Register') {
        const missing = [
          ...(state.profile.username ? [] : ['username']),
          ...(state.profile.passwordHash ? [] : ['password']),
        ];
        if (missing.length > 0)
          throw new ExperienceError('user.missing_profile', { data: { missingProfile: missing } });
        const { id } = await accounts.registerWithPasswordHash({
          username: state.profile.username ?? '',
          passwordHash: state.profile.passwordHash ?? '',
        });
        await save(ctx, details, { ...state, userId: id, profile: {} });
        ctx.status = 201;
        return;
      }
      if (state.interactionEvent !== 'SignIn') throw new ExperienceError('session.invalid_interaction_type');
      const verificationId = body.verificationId;
      if (typeof verificationId !== 'string' || verificationId === '') {
        throw new ExperienceError('guard.invalid_input');
      }
      const record = state.verifications.find((candidate) => candidate.id === verificationId);
      if (!record) throw new ExperienceError('session.verification_session_not_found');
      await save(ctx, details, { ...state, userId: record.accountId });
      ctx.status = 204;
    },
    'POST /api/experience/submit': async (ctx, details) => {
      const state = stateOf(details);
      if (!state.userId || state.interactionEvent === 'ForgotPassword') {
        throw new ExperienceError('session.identifier_not_found');
      }
      await accounts.recordSignIn(state.userId);
      const redirectTo = await provider.interactionResult(
        ctx.req,
        ctx.res,
        { login: { accountId: state.userId } },
        { mergeWithLastSubmission: false },
      );
      ctx.body = { redirectTo };
    },
  };

  return async (ctx, next) => {
    if (ctx.path !== '/api/experience' && !ctx.path.startsWith('/api/experience/')) return next();
    const route = routes[`${ctx.method} ${ctx.path.replace(/\/+$/, '') || '/'}`];
    if (!route) return next();
    try {
      const body = ctx.method === 'GET' ? {} : await readJson(ctx);
      const details = await interactionOf(provider, ctx);
      await route(ctx, details, body);
    } catch (error) {
      if (!(error instanceof ExperienceError)) throw error;
      ctx.status = error.status;
      ctx.body = error.body;
    }
  };
}

function stateOf(details: InteractionDetails): ExperienceState {
  const state = details.result?.experience as ExperienceState | undefined;
  if (!state || typeof state !== 'object') throw new ExperienceError('session.interaction_not_found');
  return state;
}

function eventOf(body: Record<string, unknown>): InteractionEvent {
  const event = body.interactionEvent;
  if (typeof event !== 'string' || !interactionEvents.includes(event))
    throw invalidBody('interactionEvent', 'invalid_enum_value');
  return event as InteractionEvent;
}

function passwordPayload(body: Record<string, unknown>): { type: string; value: string; password: string } {
  const identifier = body.identifier;
  if (typeof identifier !== 'object' || identifier === null) throw invalidBody('identifier', 'invalid_type');
  const { type, value } = identifier as Record<string, unknown>;
  if (type !== 'username' && type !== 'email' && type !== 'phone')
    throw invalidBody('identifier.type', 'invalid_enum_value');
  if (typeof value !== 'string' || value === '') throw invalidBody('identifier.value', 'invalid_type');
  if (typeof body.password !== 'string') throw invalidBody('password', 'invalid_type');
  return { type, value, password: body.password };
}

function invalidUnless(value: unknown, valid: (value: string) => boolean, path: string): string {
  if (typeof value !== 'string') throw invalidBody(path, 'invalid_type');
  if (!valid(value)) throw invalidBody(path, 'invalid_string');
  return value;
}

/** Logto's answer to a body its schema refuses. */
function invalidBody(path: string, issue: string): ExperienceError {
  return new ExperienceError('guard.invalid_input', {
    interpolation: { type: 'body' },
    details: `Error in key path "${path}": (${issue})`,
  });
}

/** The pending interaction named by the browser's cookie; Logto's `session.not_found` without one. */
async function interactionOf(provider: InteractionProvider, ctx: Context): Promise<InteractionDetails> {
  try {
    return await provider.interactionDetails(ctx.req, ctx.res);
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'SessionNotFound') throw error;
    throw new ExperienceError('session.not_found', {
      oauth: { error: 'invalid_request', error_description: 'interaction session not found' },
    });
  }
}

/** Reads a JSON object body (at most 16 KiB); an empty body is `{}`. */
async function readJson(ctx: Context): Promise<Record<string, unknown>> {
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > maxBodyBytes) throw invalidBody('', 'too_big');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBodyBytes) throw invalidBody('', 'too_big');
    chunks.push(buffer);
  }
  if (size === 0) return {};
  const type = (ctx.get('content-type').split(';')[0] ?? '').trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ExperienceError('request.invalid_input', { interpolation: { details: 'The body must be JSON.' } });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw invalidBody('', 'invalid_json');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidBody('', 'invalid_type');
  return parsed as Record<string, unknown>;
}
