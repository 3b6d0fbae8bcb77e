// The same handler, unprotected.
export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  return Response.json({ sub: 'anonymous' });
}
