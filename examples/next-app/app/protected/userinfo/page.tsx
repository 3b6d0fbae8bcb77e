import { redirect } from 'next/navigation';
import { logto } from '../../../lib/logto';
import { ClaimsTable } from '../../ui';

export default async function UserInfo() {
  const session = await logto.getSession({ fetchUserInfo: true });
  if (!session.isAuthenticated) redirect(logto.signInUrl('/protected/userinfo'));
  return (
    <>
      <h1>User info</h1>
      <section>
        <p className="muted">
          From the userinfo endpoint, including the userinfo-only claims such as <code>custom_data</code>.
        </p>
        <ClaimsTable claims={session.userInfo ?? {}} id="userinfo" />
      </section>
    </>
  );
}
