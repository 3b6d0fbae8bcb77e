import { displayName, logto } from '../lib/logto';

export default async function Home() {
  const session = await logto.getSession();
  return (
    <>
      <h1>Home</h1>
      {session.isAuthenticated ? (
        <section>
          <p>
            You are signed in as <b>{displayName(session.claims)}</b>.
          </p>
          <p>
            <a className="button" href="/protected">
              See your ID token claims
            </a>{' '}
            <a className="button secondary" href="/sign-out">
              Sign out
            </a>
          </p>
        </section>
      ) : (
        <section>
          <p>You are not signed in.</p>
          <p>
            <a className="button" href="/sign-in">
              Sign in
            </a>{' '}
            <a className="button secondary" href="/sign-up">
              Create an account
            </a>
          </p>
          <p className="muted">
            Demo accounts: <code>demo</code> / <code>demo-password</code>, <code>alice</code> /{' '}
            <code>alice-password</code>, <code>admin</code> / <code>admin-password</code> (may add products).
          </p>
        </section>
      )}
    </>
  );
}
