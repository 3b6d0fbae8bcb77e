// Sign-in, sign-up, callback and sign-out (/sign-in, /sign-up, /callback, /sign-out).
import { logto } from '../../lib/logto';

export const { GET, POST } = logto.handlers;
