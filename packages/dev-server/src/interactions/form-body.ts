import type { Context } from 'koa';

/** The largest form body accepted: the interaction forms are a few short fields. */
const maxBodyBytes = 16 * 1024;

/** Why a form body was refused. */
export class FormBodyError extends Error {
  readonly status: 413 | 415;
  constructor(status: 413 | 415, message: string) {
    super(message);
    this.name = 'FormBodyError';
    this.status = status;
  }
}

/**
 * Reads an `application/x-www-form-urlencoded` request body. Refuses other content types (415)
 * and bodies over 16 KiB (413) before buffering them.
 */
export async function readForm(ctx: Context): Promise<URLSearchParams> {
  const type = (ctx.get('content-type').split(';')[0] ?? '').trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new FormBodyError(415, 'Forms must be sent as application/x-www-form-urlencoded.');
  }
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > maxBodyBytes) throw new FormBodyError(413, 'The form is too large.');

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBodyBytes) throw new FormBodyError(413, 'The form is too large.');
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
