// The same signed-in Route Handler with the official @logto/next.
import { getLogtoContext } from '@logto/next/server-actions';
import { officialConfig } from '../../../logto';

export async function GET(): Promise<Response> {
  const context = await getLogtoContext(officialConfig);
  if (!context.isAuthenticated) return Response.json({ error: 'Not authenticated' }, { status: 401 });
  return Response.json({ sub: context.claims?.sub });
}
