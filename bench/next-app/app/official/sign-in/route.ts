import { signIn } from '@logto/next/server-actions';
import { officialConfig } from '../../../logto';

export async function GET(): Promise<Response> {
  await signIn(officialConfig, { redirectUri: `${officialConfig.baseUrl}/official/callback` });
  return new Response(null, { status: 500 });
}
