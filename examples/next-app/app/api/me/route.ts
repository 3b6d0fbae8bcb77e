// A protected Route Handler: the signed-in user's claims as JSON, 401 JSON when signed out.
import { logto } from '../../../lib/logto';

export const GET = logto.authenticated({}, (_request, { user }) => Response.json(user));
