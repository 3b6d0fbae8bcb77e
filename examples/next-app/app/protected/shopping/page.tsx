import { redirect } from 'next/navigation';
import { apiUrl, callApi, logto, shoppingApi } from '../../../lib/logto';
import { addProduct } from '../../actions';
import { ApiResult, ClaimsTable } from '../../ui';

function decodeClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

export default async function Shopping({ searchParams }: { searchParams: Promise<{ added?: string }> }) {
  const session = await logto.getSession();
  if (!session.isAuthenticated) redirect(logto.signInUrl('/protected/shopping'));
  // A refresh here (a Server Component) is kept for the next requests: once per token lifetime.
  const token = await logto.getAccessToken(shoppingApi);
  const answer = await callApi('/api/products', token);
  const { added } = await searchParams;
  return (
    <>
      <h1>Shopping API</h1>
      <section>
        <h2>
          Access token for <code>{shoppingApi}</code>
        </h2>
        <ClaimsTable claims={decodeClaims(token)} id="access-token" />
      </section>
      <section>
        <h2>Shopping API answer</h2>
        <ApiResult request={`GET ${apiUrl}/api/products`} answer={answer} id="api-answer" />
      </section>
      <section>
        <h2>Add a product</h2>
        <p className="muted">
          <code>POST /api/products</code> needs the scope <code>shopping:write</code>, which the role <code>admin</code>{' '}
          grants (sign in as <code>admin</code> / <code>admin-password</code>).
        </p>
        {added ? <p id="added">Last add: HTTP {added}</p> : null}
        <form action={addProduct}>
          <input name="name" defaultValue="Logto sticker" maxLength={100} aria-label="Product name" />{' '}
          <button type="submit">Add</button>
        </form>
      </section>
    </>
  );
}
