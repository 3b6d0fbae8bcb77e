// The same handler as /me, unprotected (reading the request, as /me does, keeps it dynamic).
export async function GET(request: Request): Promise<Response> {
  return Response.json({ sub: request.headers.get('x-user') ?? 'anonymous' });
}
