'use server';
// Server Actions: sign-in and sign-out from forms, and adding a product with a fresh access token.
import { redirect } from 'next/navigation';
import { callApi, logto, shoppingApi } from '../lib/logto';

/** Starts a sign-in that returns to the home page. */
export async function signIn(): Promise<void> {
  await logto.signIn({ returnTo: '/' });
}

/** Signs out here and at the provider. */
export async function signOut(): Promise<void> {
  await logto.signOut();
}

/** Adds a product with `POST /api/products` (needs `shopping:write`, which the role admin grants). */
export async function addProduct(form: FormData): Promise<void> {
  const name = String(form.get('name') ?? '').trim() || 'New product';
  const token = await logto.getAccessToken(shoppingApi);
  const answer = await callApi('/api/products', token, { name: name.slice(0, 100) });
  redirect(`/protected/shopping?added=${answer.status}`);
}
