// The signed-in decision of /official/me taken 50 times per request.
import { getLogtoContext } from '@logto/next/server-actions';
import { officialConfig } from '../../../logto';

export async function GET(): Promise<Response> {
  let context = await getLogtoContext(officialConfig);
  for (let repeat = 1; repeat < 50; repeat += 1) context = await getLogtoContext(officialConfig);
  if (!context.isAuthenticated) return Response.json({ error: 'Not authenticated' }, { status: 401 });
  return Response.json({ sub: context.claims?.sub });
}
