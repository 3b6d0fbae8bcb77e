import { redirect } from 'next/navigation';
import { logto } from '../../lib/logto';
import { ClaimsTable } from '../ui';

export default async function IdToken() {
  const session = await logto.getSession();
  // The middleware protects /protected/…; a page checks again (it may be reached without it).
  if (!session.isAuthenticated) redirect(logto.signInUrl('/protected'));
  return (
    <>
      <h1>ID token claims</h1>
      <section>
        <ClaimsTable claims={session.claims} id="claims" />
      </section>
    </>
  );
}
