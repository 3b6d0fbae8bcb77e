// The benchmark app's two Logto setups: @logto-kit/next and the official @logto/next, the same app.
import { createLogto } from '@logto-kit/next';

const endpoint = process.env.LOGTO_ENDPOINT ?? 'http://localhost:3001';
const baseUrl = process.env.BASE_URL ?? 'http://localhost:3000';
const secret = 'next-bench-session-secret-0123456789abcdef';

export const logto = createLogto({
  endpoint,
  appId: 'sample-web-app',
  appSecret: 'sample-web-app-secret',
  baseUrl,
  session: { secrets: [secret] },
});

export const officialConfig = {
  endpoint,
  appId: 'sample-web-app',
  appSecret: 'sample-web-app-secret',
  baseUrl,
  cookieSecret: secret,
  cookieSecure: false,
};
