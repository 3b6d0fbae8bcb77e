// A signed-in Route Handler with @logto-kit/next.
import { logto } from '../../logto';

export const GET = logto.authenticated({}, (_request, { user }) => Response.json({ sub: user.sub }));
