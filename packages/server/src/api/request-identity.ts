import { createHash } from 'node:crypto';

/** Printable ASCII without spaces, as Stripe takes them; long enough for a UUID with a prefix. */
export const IDEMPOTENCY_KEY_RE = /^[\x21-\x7e]{1,255}$/;

/**
 * What makes two requests with one Idempotency-Key "the same": the route and the decrypted
 * payload, keys sorted (clients serialise objects in any order).
 */
export function requestHash(route: string, payload: unknown): string {
  return createHash('sha256').update(route).update('\n').update(canonicalJson(payload)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .filter((k) => obj[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
