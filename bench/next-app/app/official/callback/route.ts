import { handleSignIn } from '@logto/next/server-actions';
import { redirect } from 'next/navigation';
import { officialConfig } from '../../../logto';

export async function GET(request: Request): Promise<Response> {
  const { search } = new URL(request.url);
  await handleSignIn(officialConfig, new URL(`${officialConfig.baseUrl}/official/callback${search}`));
  redirect('/');
}
