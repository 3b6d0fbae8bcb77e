/**
 * What one request's handlers share once the core opened its session: the session, the route
 * paths, the request as the adapter described it, and a `LogtoClient` created on first use (most
 * requests of a signed-in user never need one).
 */
import type { LogtoClient } from '@logto-kit/client';
import type { AdapterRequest } from './adapter-request.ts';
import type { LogtoPaths } from './logto-paths.ts';
import type { Session } from './session.ts';

/**
 * One request's Logto state, given by `LogtoCore.open`. Adapters put it in the framework's
 * place for request state under the name `logto` (`req.logto`, `c.get('logto')`, `request.logto`).
 */
export interface LogtoRequestContext {
  /** The request's session. */
  readonly session: Session;
  /** The route paths, e.g. for links. */
  readonly paths: LogtoPaths;
  /** The request, as the adapter described it to `LogtoCore.open`. */
  readonly request: AdapterRequest;
  /** This request's `LogtoClient`, its storage being the session; created on first use. */
  readonly client: LogtoClient;
}

/** The context of one request; its client is created when first read. */
export class RequestContext implements LogtoRequestContext {
  readonly session: Session;
  readonly paths: LogtoPaths;
  readonly request: AdapterRequest;
  #client: LogtoClient | undefined;
  readonly #createClient: (session: Session) => LogtoClient;

  constructor(
    session: Session,
    paths: LogtoPaths,
    request: AdapterRequest,
    createClient: (session: Session) => LogtoClient,
  ) {
    this.session = session;
    this.paths = paths;
    this.request = request;
    this.#createClient = createClient;
  }

  get client(): LogtoClient {
    this.#client ??= this.#createClient(this.session);
    return this.#client;
  }
}
