import type { ReactNode } from 'react';
import { displayName, logto } from '../lib/logto';
import { signIn, signOut } from './actions';

// Every page depends on the visitor's session.
export const dynamic = 'force-dynamic';

export const metadata = { title: 'logto-kit Next.js app' };

const style = `
body { font-family: system-ui, -apple-system, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
header { background: #5d34f2; color: white; padding: 0.8rem 1.5rem; display: flex; gap: 1.2rem; align-items: center; flex-wrap: wrap; }
header strong { margin-right: 1rem; }
header a { color: white; text-decoration: none; opacity: 0.9; }
header a:hover { opacity: 1; text-decoration: underline; }
header .who { margin-left: auto; font-size: 0.9rem; display: flex; gap: 0.6rem; align-items: center; }
header form { display: inline; }
header button { background: none; border: 1px solid white; color: white; border-radius: 4px; cursor: pointer; }
main { max-width: 60rem; margin: 1.5rem auto; padding: 0 1.5rem; }
section { background: white; border: 1px solid #d0d7de; border-radius: 8px; padding: 1rem 1.25rem; margin-bottom: 1.2rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { text-align: left; vertical-align: top; padding: 0.35rem 0.6rem; border-bottom: 1px solid #eaeef2; }
th { width: 14rem; color: #57606a; font-weight: 600; }
code { font-family: ui-monospace, monospace; background: #f3f4f6; padding: 0.05rem 0.3rem; border-radius: 4px; word-break: break-all; }
.muted { color: #57606a; }
.ok { color: #1a7f37; font-weight: 600; } .bad { color: #cf222e; font-weight: 600; }
.button { display: inline-block; background: #5d34f2; color: white; padding: 0.5rem 1rem; border-radius: 6px; text-decoration: none; margin-right: 0.5rem; border: none; font: inherit; cursor: pointer; }
.button.secondary { background: white; color: #5d34f2; border: 1px solid #5d34f2; }
`;

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await logto.getSession();
  return (
    <html lang="en">
      <head>
        <style>{style}</style>
      </head>
      <body>
        <header>
          <strong>logto-kit Next.js app</strong>
          <a href="/">Home</a>
          <a href="/protected">ID token</a>
          <a href="/protected/userinfo">User info</a>
          <a href="/protected/shopping">Shopping API</a>
          <a href="/protected/organizations">Organizations</a>
          <span className="who">
            {session.isAuthenticated ? (
              <>
                Signed in as <b id="who">{displayName(session.claims)}</b>
                <form action={signOut}>
                  <button type="submit">Sign out</button>
                </form>
              </>
            ) : (
              <form action={signIn}>
                <button type="submit">Sign in</button>
              </form>
            )}
          </span>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
