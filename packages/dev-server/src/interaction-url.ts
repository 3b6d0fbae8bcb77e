/** The first screen Logto shows for each `first_screen` (and the older `interaction_mode`) value. */
const firstScreens: Record<string, string> = {
  sign_in: 'sign-in',
  signIn: 'sign-in',
  register: 'register',
  signUp: 'register',
  reset_password: 'reset-password',
  'identifier:sign_in': 'identifier-sign-in',
  'identifier:register': 'identifier-register',
  single_sign_on: 'single-sign-on',
};

/** The screens the dev server's pages answer at (the ones that open registration first are marked). */
export const interactionScreens: ReadonlyMap<string, { register: boolean }> = new Map([
  ['sign-in', { register: false }],
  ['register', { register: true }],
  ['reset-password', { register: false }],
  ['identifier-sign-in', { register: false }],
  ['identifier-register', { register: true }],
  ['single-sign-on', { register: false }],
  ['consent', { register: false }],
]);

/**
 * Where `/oidc/auth` sends the browser, as Logto does: `/<first screen>?app_id=…` (plus
 * `organization_id`, `login_hint`, `identifier`, `ui_locales`, `one_time_token` when sent) for the
 * login prompt, `/consent?app_id=…` for the consent prompt. The pending interaction is found from its
 * cookie there, so the URL names no interaction id.
 */
export function interactionUrl(params: Record<string, unknown>, prompt: string): string {
  const search = new URLSearchParams();
  const appId = params.client_id;
  if (typeof appId === 'string') search.append('app_id', appId);
  if (prompt === 'consent') return `/consent?${search}`;
  for (const name of ['organization_id', 'one_time_token', 'login_hint', 'identifier', 'ui_locales']) {
    const value = params[name];
    if (typeof value === 'string' && value !== '') search.append(name, value);
  }
  const requested = params.first_screen ?? params.interaction_mode;
  const screen = (typeof requested === 'string' ? firstScreens[requested] : undefined) ?? 'sign-in';
  const query = search.toString();
  return `/${screen}${query ? `?${query}` : ''}`;
}
