import type { Context, Middleware } from 'koa';
import type { AccountDirectory } from '../accounts.ts';
import type { DevServerConfig } from '../config.ts';
import { type CsrfTokens, createCsrfTokens } from '../csrf.ts';
import { interactionScreens } from '../interaction-url.ts';
import { renderMessagePage } from '../pages/error.ts';
import { pageHeaders } from '../pages/layout.ts';
import { renderRegister } from '../pages/register.ts';
import { incorrectCredentialsMessage, renderSignIn } from '../pages/sign-in.ts';
import { SignInThrottle } from '../sign-in-throttle.ts';
import { grantRequestedConsent } from './consent.ts';
import { FormBodyError, readForm } from './form-body.ts';
import type { InteractionDetails, InteractionProvider, InteractionResult } from './interaction-provider.ts';

export type { InteractionDetails, InteractionProvider } from './interaction-provider.ts';

/** Options of {@link createInteractionRoutes}. */
export interface InteractionRoutesOptions {
  /** The oidc-provider instance whose interactions these routes complete. */
  provider: InteractionProvider;
  /** Where accounts are verified and registered. */
  accounts: AccountDirectory;
  /** The server configuration (application names for the pages). */
  config: DevServerConfig;
  /** The clock, in milliseconds since the epoch, for the sign-in rate limit (injected by tests). */
  now?: () => number;
  /** CSRF tokens; a random per-process secret by default. */
  csrf?: CsrfTokens;
  /**
   * The failed sign-in limit, shared with the Experience API (default: 5 per account and 20 per
   * client address in 5 minutes); further attempts get 429.
   */
  throttle?: SignInThrottle;
}

/** Logto's `first_screen` values and `interaction_mode=signUp` that open the registration screen first. */
const registrationFirstScreens = new Set(['register', 'identifier:register']);

const uidPattern = /^\/interaction\/([A-Za-z0-9_-]{1,128})(?:\/(login|register|abort))?\/?$/;

/**
 * Koa middleware serving the sign-in and registration pages under `/interaction/:uid`, the
 * address oidc-provider sends the browser to when the user must sign in:
 *
 * - `GET /interaction/:uid`: the sign-in page, or the registration page when the authorization
 *   request asked for it (`first_screen=register`, `first_screen=identifier:register`,
 *   `interaction_mode=signUp`) or the user followed the link (`?screen=register`);
 * - `POST /interaction/:uid/login` (`identifier`, `password`, `csrf`): signs in;
 * - `POST /interaction/:uid/register` (`username`, `email`, `password`, `csrf`): creates the
 *   account and signs it in;
 * - `POST /interaction/:uid/abort` (`csrf`): returns to the app with `access_denied`.
 *
 * Every POST needs the CSRF token bound to the interaction (403 otherwise). Failed sign-ins are
 * limited per identifier and per client IP (429). A `consent` prompt is granted without a page.
 * Other paths are passed to the next middleware.
 */
export function createInteractionRoutes(options: InteractionRoutesOptions): Middleware {
  const { provider, accounts, config } = options;
  const now = options.now ?? Date.now;
  const csrf = options.csrf ?? createCsrfTokens();
  const throttle = options.throttle ?? new SignInThrottle({ now });

  const appName = (details: InteractionDetails): string => {
    const clientId = typeof details.params.client_id === 'string' ? details.params.client_id : '';
    return config.applications.find((app) => app.id === clientId)?.name ?? (clientId || 'the application');
  };

  const finish = async (ctx: Context, result: InteractionResult, merge = false): Promise<void> => {
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
    ctx.status = 303;
    ctx.redirect(returnTo);
  };

  const finishConsent = async (ctx: Context, details: InteractionDetails): Promise<void> => {
    const grantId = await grantRequestedConsent(provider, details);
    await finish(ctx, { consent: { grantId } }, true);
  };

  const showSignIn = (ctx: Context, details: InteractionDetails, status: number, identifier?: string, error?: string) =>
    sendPage(
      ctx,
      status,
      renderSignIn({
        interactionPath: `/interaction/${details.uid}`,
        appName: appName(details),
        csrfToken: csrf.issue(details.uid),
        ...(identifier ? { identifier } : {}),
        ...(error ? { error } : {}),
      }),
    );

  const showRegister = (
    ctx: Context,
    details: InteractionDetails,
    status: number,
    values: { username?: string; email?: string; error?: string } = {},
  ) =>
    sendPage(
      ctx,
      status,
      renderRegister({
        interactionPath: `/interaction/${details.uid}`,
        appName: appName(details),
        csrfToken: csrf.issue(details.uid),
        ...values,
      }),
    );

  const show = async (ctx: Context, details: InteractionDetails, registerScreen = false): Promise<void> => {
    const screen = ctx.query.screen;
    const register =
      screen === 'register' || (screen !== 'sign-in' && (registerScreen || registrationFirst(details.params)));
    const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined;
    if (register) {
      // Logto's login_hint is usually an email address; otherwise it names the username.
      const prefill = hint === undefined ? {} : hint.includes('@') ? { email: hint } : { username: hint };
      return showRegister(ctx, details, 200, prefill);
    }
    return showSignIn(ctx, details, 200, hint);
  };

  const signIn = async (ctx: Context, details: InteractionDetails, form: URLSearchParams): Promise<void> => {
    const identifier = (form.get('identifier') ?? '').trim();
    const password = form.get('password') ?? '';
    if (!identifier || !password) {
      return showSignIn(ctx, details, 400, identifier, 'Enter your username or email and your password.');
    }
    const accountKey = SignInThrottle.key(await accounts.accountIdOf(identifier), identifier);
    const ipKey = ctx.ip || 'unknown';
    const waitMs = throttle.retryAfterMs(accountKey, ipKey);
    if (waitMs > 0) {
      ctx.set('retry-after', String(Math.ceil(waitMs / 1000)));
      return sendPage(
        ctx,
        429,
        renderMessagePage({
          title: 'Too many attempts',
          message: 'Too many attempts, try again later.',
          detail: `Sign-in is paused for this account or network after repeated failures. Try again in ${Math.ceil(waitMs / 60_000)} minute(s).`,
        }),
      );
    }
    const accountId = await accounts.verifyPassword(identifier, password);
    if (!accountId) {
      throttle.recordFailure(accountKey, ipKey);
      return showSignIn(ctx, details, 401, identifier, incorrectCredentialsMessage);
    }
    throttle.recordSuccess(accountKey);
    await accounts.recordSignIn(accountId);
    await finish(ctx, { login: { accountId } });
  };

  const register = async (ctx: Context, details: InteractionDetails, form: URLSearchParams): Promise<void> => {
    const username = (form.get('username') ?? '').trim();
    const email = (form.get('email') ?? '').trim();
    const password = form.get('password') ?? '';
    let accountId: string;
    try {
      accountId = (await accounts.register({ username, password, ...(email ? { email } : {}) })).id;
    } catch (error) {
      const message = accountErrorMessage(error);
      if (message === undefined) throw error;
      return showRegister(ctx, details, 400, { username, email, error: message });
    }
    await finish(ctx, { login: { accountId } });
  };

  /** `GET /sign-in`, `/register`, `/consent`…: where `/oidc/auth` sends the browser (Logto's screens). */
  const showScreen = async (ctx: Context, screen: { register: boolean }): Promise<unknown> => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.set('allow', 'GET, HEAD');
      return sendPage(
        ctx,
        405,
        renderMessagePage({ title: 'Not allowed', message: 'This address does not accept that request method.' }),
      );
    }
    let details: InteractionDetails;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch (error) {
      if (isSessionNotFound(error)) return sendExpired(ctx);
      throw error;
    }
    if (details.prompt.name === 'consent') return finishConsent(ctx, details);
    return show(ctx, details, screen.register);
  };

  const handle = async (ctx: Context, next: () => Promise<unknown>): Promise<unknown> => {
    const screen = interactionScreens.get(ctx.path.slice(1));
    if (screen) return showScreen(ctx, screen);
    const match = uidPattern.exec(ctx.path);
    if (!match) return next();
    const uid = match[1] ?? '';
    const action = match[2];

    const isPost = ctx.method === 'POST';
    if ((action && !isPost) || (!action && ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      ctx.set('allow', action ? 'POST' : 'GET, HEAD');
      return sendPage(
        ctx,
        405,
        renderMessagePage({ title: 'Not allowed', message: 'This address does not accept that request method.' }),
      );
    }

    const details = await findInteraction(provider, ctx, uid);
    if (!details) return sendExpired(ctx);

    if (!action) {
      if (details.prompt.name === 'consent') return finishConsent(ctx, details);
      return show(ctx, details);
    }

    let form: URLSearchParams;
    try {
      form = await readForm(ctx);
    } catch (error) {
      if (!(error instanceof FormBodyError)) throw error;
      return sendPage(ctx, error.status, renderMessagePage({ title: 'Request refused', message: error.message }));
    }
    if (!csrf.verify(uid, form.get('csrf'))) {
      return sendPage(
        ctx,
        403,
        renderMessagePage({
          title: 'Request refused',
          message: 'This form could not be verified (missing or invalid security token).',
          detail: 'Go back, reload the page and try again.',
        }),
      );
    }

    if (action === 'abort') {
      return finish(ctx, { error: 'access_denied', error_description: 'End-User aborted interaction' });
    }
    if (details.prompt.name === 'consent') return finishConsent(ctx, details);
    if (action === 'login') return signIn(ctx, details, form);
    return register(ctx, details, form);
  };

  return async (ctx, next) => {
    try {
      await handle(ctx, next);
    } catch (error) {
      // The interaction can expire between reading it and finishing it.
      if (isSessionNotFound(error)) return sendExpired(ctx);
      throw error;
    }
  };
}

function isSessionNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'SessionNotFound';
}

function sendExpired(ctx: Context): void {
  sendPage(
    ctx,
    400,
    renderMessagePage({
      title: 'Sign-in expired',
      message: 'This sign-in has expired or was started in another browser.',
      detail: 'Go back to the application and sign in again.',
    }),
  );
}

function registrationFirst(params: Record<string, unknown>): boolean {
  const firstScreen = params.first_screen;
  if (typeof firstScreen === 'string' && registrationFirstScreens.has(firstScreen)) return true;
  return params.interaction_mode === 'signUp';
}

/** The interaction the browser's cookie names, if it is the one in the path and still pending. */
async function findInteraction(
  provider: InteractionProvider,
  ctx: Context,
  uid: string,
): Promise<InteractionDetails | undefined> {
  try {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    return details.uid === uid ? details : undefined;
  } catch (error) {
    if (isSessionNotFound(error)) return undefined;
    throw error;
  }
}

const accountErrorFallbacks: Record<string, string> = {
  username_taken: 'That username is already taken.',
  email_taken: 'An account with that email already exists.',
  invalid_username: 'That username is not valid.',
  invalid_email: 'That email address is not valid.',
  weak_password: 'That password is too weak.',
};

/** The message to show for an account error thrown by registration, or undefined for other errors. */
function accountErrorMessage(error: unknown): string | undefined {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') return undefined;
  const fallback = accountErrorFallbacks[error.code];
  if (fallback === undefined) return undefined;
  return error.message || fallback;
}

function sendPage(ctx: Context, status: number, html: string): void {
  ctx.status = status;
  ctx.set(pageHeaders);
  ctx.body = html;
}
