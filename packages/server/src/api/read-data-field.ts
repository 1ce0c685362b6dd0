import type { FastifyRequest } from 'fastify';

/**
 * Where the encrypted `data` can arrive (DESIGN.md): a JSON body `{"data": …}`, a form or
 * multipart field, a raw text body, or the query string `?data=` — on any method, because real
 * clients send GET lists with the payload in the query and DELETE with a JSON body.
 */
export function readDataField(request: FastifyRequest): string | undefined {
  const body = request.body as unknown;
  if (typeof body === 'string' && body.trim() !== '') return body.trim();
  if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
    const data = (body as Record<string, unknown>).data;
    if (typeof data === 'string' && data !== '') return data.trim();
    // Multipart fields parsed with attachFieldsToBody arrive as { value } objects.
    if (data && typeof data === 'object' && typeof (data as { value?: unknown }).value === 'string') return (data as { value: string }).value.trim();
  }
  const query = request.query as Record<string, unknown> | undefined;
  const q = query?.data;
  if (typeof q === 'string' && q !== '') return q.trim();
  return undefined;
}
