import { type PlainAnswer, toResponse } from '@logto-kit/web';

/** Sends a plain answer of the core: in Hono, the `Response` a handler returns. */
export const sendAnswer: (answer: PlainAnswer) => Response = toResponse;
