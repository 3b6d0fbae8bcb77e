import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The parts of oidc-provider's `Provider` the interaction routes use, typed structurally so the
 * routes depend on behaviour, not on one declaration of the class.
 */
export interface InteractionProvider {
  /** The pending interaction named by the browser's interaction cookie (throws `SessionNotFound`). */
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  /** Stores the interaction's result and returns the URL that resumes the authorization request. */
  interactionResult(
    req: IncomingMessage,
    res: ServerResponse,
    result: InteractionResult,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<string>;
  /** The grant model, for granting consent. */
  Grant: GrantModel;
}

/** A pending interaction, as `interactionDetails` returns it. */
export interface InteractionDetails {
  uid: string;
  /** The authorization request's parameters (`client_id`, `login_hint`, `first_screen`, …). */
  params: Record<string, unknown>;
  /** Why the interaction is needed: `login` or `consent`, with details. */
  prompt: { name: string; reasons?: string[]; details: Record<string, unknown> };
  /** The existing grant, when the consent prompt extends one. */
  grantId?: string | undefined;
  /** The signed-in session, if any. */
  session?: { accountId?: string | undefined } | undefined;
  /** What the interaction has stored so far (the Experience API keeps its state under `experience`). */
  result?: Record<string, unknown> | undefined;
}

/** The result an interaction finishes with. */
export type InteractionResult =
  | { login: { accountId: string } }
  | { experience: unknown; [stored: string]: unknown }
  | { consent: { grantId: string } }
  | { error: string; error_description?: string };

/** oidc-provider's `Grant` model: the scopes and claims a user granted to a client. */
export interface GrantModel {
  new (properties: { accountId?: string; clientId?: string }): GrantInstance;
  find(id: string): Promise<GrantInstance | undefined>;
}

/** One grant: what a user allowed one client. */
export interface GrantInstance {
  addOIDCScope(scope: string): unknown;
  addOIDCClaims(claims: string[]): unknown;
  addResourceScope(resource: string, scope: string): unknown;
  save(): Promise<string>;
}
