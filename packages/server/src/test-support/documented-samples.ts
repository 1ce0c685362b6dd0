import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The documented samples of Hesabe's merchant API, encrypted with its public sandbox key
 * (packages/wire/fixtures/wire-vectors.json, decrypted here). Tests use them as the contract:
 * our replies must carry every field of the documented replies with the same JSON types.
 */
const path = fileURLToPath(new URL('../../../wire/fixtures/wire-vectors.json', import.meta.url));
const vectors = JSON.parse(readFileSync(path, 'utf8')) as {
  secretKey: string;
  iv: string;
  valid: Array<{ name: string; source?: string; hex: string; plaintext: string }>;
  invalid: Array<{ name: string; hex: string }>;
};

function sample(source: string, kind: 'request' | 'response') {
  const v = vectors.valid.find((x) => x.source === source && x.name.includes(` ${kind} `));
  if (!v) throw new Error(`no ${kind} vector for ${source}`);
  return { hex: v.hex, json: JSON.parse(v.plaintext) };
}

export const wireVectors = vectors;
export const invoiceRequestSample = sample('000_e50769a3e96c9019.txt', 'request');
export const invoiceReplySample = sample('000_e50769a3e96c9019.txt', 'response');
export const openInvoiceRequestSample = sample('004_3df0d2173a67555a.txt', 'request');
export const openInvoiceReplySample = sample('004_3df0d2173a67555a.txt', 'response');

/** The documented installment plan request (the documentation prints it as commented JSON, not as a vector). */
export function installmentsRequestSample(expiresAt: string) {
  const base = {
    merchantCode: '842217',
    invoiceType: '1',
    invoiceSubType: '0',
    language: 'en',
    description: 'test',
    customerName: 'Mohammed',
    mobileNumber: '66666666',
    countryCode: '+965',
    customerEmail: 'test@gmail.com',
    allocatePayType: [],
  };
  return {
    merchantCode: '842217',
    invoices: [
      { amount: '100.000', expiresAt, referenceNumber: '8849404', ...base },
      { amount: '150.000', expiresAt, referenceNumber: '88445604', ...base },
    ],
  };
}

/** JSON type of a value as a reader of the wire sees it: null and array are their own types. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Every key of `sample` is in `actual` with the same JSON type, recursively into objects. */
export function shapeDifferences(sampleValue: unknown, actual: unknown, path = ''): string[] {
  const diffs: string[] = [];
  if (jsonType(sampleValue) !== jsonType(actual)) return [`${path || '(root)'}: ${jsonType(sampleValue)} expected, got ${jsonType(actual)}`];
  if (jsonType(sampleValue) === 'object') {
    for (const [k, v] of Object.entries(sampleValue as Record<string, unknown>)) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in (actual as Record<string, unknown>))) diffs.push(`${p}: missing`);
      else diffs.push(...shapeDifferences(v, (actual as Record<string, unknown>)[k], p));
    }
  }
  return diffs;
}
