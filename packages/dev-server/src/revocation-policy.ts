import { type Client, errors, type KoaContextWithOIDC } from 'oidc-provider';

/**
 * Who may revoke a token at `/oidc/token/revocation` (RFC 7009 §2.1: the client the token was
 * issued to). This is oidc-provider's default policy, which Logto runs unchanged: the token's own
 * client may revoke it; for another client's token, a public client is answered 200 with nothing
 * revoked and a confidential client gets `invalid_request`. Stating it here keeps the behaviour and
 * stops oidc-provider from printing its notice about the default on the first revocation.
 */
export function revocationAllowedPolicy(
  _ctx: KoaContextWithOIDC,
  client: Client,
  token: { clientId?: string },
): boolean {
  if (token.clientId === client.clientId) return true;
  if (client.clientAuthMethod === 'none') return false;
  throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
}
