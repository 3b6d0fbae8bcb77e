import { LogtoError } from '@logto-kit/next';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { apiUrl, callApi, logto } from '../../../lib/logto';
import { ApiResult, ClaimsTable, Value } from '../../ui';

function decodeClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

async function Organization({ id, name }: { id: string; name: string }): Promise<ReactNode> {
  let content: ReactNode;
  try {
    const token = await logto.getOrganizationToken(id);
    const path = `/api/organizations/${encodeURIComponent(id)}/projects`;
    const answer = await callApi(path, token);
    content = (
      <>
        <h3>Organization token</h3>
        <ClaimsTable claims={decodeClaims(token)} />
        <h3>Projects API</h3>
        <ApiResult request={`GET ${apiUrl}${path}`} answer={answer} />
      </>
    );
  } catch (error) {
    const code = error instanceof LogtoError ? error.code : 'request_failed';
    content = (
      <p className="bad">
        Error code: <code>{code}</code> {error instanceof Error ? error.message : ''}
      </p>
    );
  }
  return (
    <section className="organization" data-id={id}>
      <h2>
        {name}{' '}
        <span className="muted">
          (<code>{id}</code>)
        </span>
      </h2>
      {content}
    </section>
  );
}

export default async function Organizations() {
  const session = await logto.getSession({ fetchUserInfo: true });
  if (!session.isAuthenticated) redirect(logto.signInUrl('/protected/organizations'));
  const user = session.userInfo;
  const organizations =
    user?.organization_data ?? (user?.organizations ?? []).map((id) => ({ id, name: id, description: null }));
  return (
    <>
      <h1>Organizations</h1>
      {organizations.length === 0 ? (
        <section>
          <p>You are not a member of any organization.</p>
        </section>
      ) : (
        <>
          <section>
            <h2>Your organization roles</h2>
            <Value value={user?.organization_roles ?? []} />
          </section>
          {organizations.map((organization) => (
            <Organization key={organization.id} id={organization.id} name={organization.name} />
          ))}
        </>
      )}
    </>
  );
}
