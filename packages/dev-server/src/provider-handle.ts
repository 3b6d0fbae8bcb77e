import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What oidc-provider knows of a pending sign-in (see {@link ProviderHandle.interactionDetails}). */
export interface InteractionDetails {
  /** The interaction's id, as in `/interaction/<uid>`. */
  readonly uid: string;
  /** The authorization request's parameters. */
  readonly params: Record<string, unknown>;
  /** What the interaction asks for: `login` or `consent`, and why. */
  readonly prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
}

/**
 * The running server's oidc-provider instance, as far as its users need it: its events
 * (`grant.success`, `grant.error`, `server_error`, …, as oidc-provider emits them) and the details
 * of a pending interaction. Declared here so that the package's types need no declarations of
 * oidc-provider, which ships none.
 */
export interface ProviderHandle extends EventEmitter {
  /** The pending interaction of a browser's request to `/interaction/<uid>` (its cookies identify it). */
  interactionDetails(request: IncomingMessage, response: ServerResponse): Promise<InteractionDetails>;
}
