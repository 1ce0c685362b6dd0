import type { FastifyRequest } from 'fastify';

/**
 * Where the encrypted `data` can arrive: a JSON body `{"data": …}`, a form or
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

const MAX_GET_BODY = 1024 * 1024;

/**
 * Fastify does not parse bodies on GET, but some Hesabe samples send `{"data": …}` in a GET
 * body. Reads it from the raw stream (bounded), as JSON or a form.
 */
export async function readGetBodyData(request: FastifyRequest): Promise<string | undefined> {
  const length = Number(request.headers['content-length'] ?? 0);
  if (request.method !== 'GET' || !(length > 0) || length > MAX_GET_BODY || request.raw.readableEnded) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > MAX_GET_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    const data = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>).data : undefined;
    return typeof data === 'string' && data !== '' ? data.trim() : undefined;
  } catch {
    const data = new URLSearchParams(text).get('data');
    if (data) return data.trim();
    return /^[0-9a-fA-F]+$/.test(text) ? text : undefined;
  }
}
