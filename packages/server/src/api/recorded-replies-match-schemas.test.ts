import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import type { TSchema } from 'typebox';
import { ErrorReply, Reply, TransactionEnquiryReply } from '@fawtara/contract';
import { invoiceRoutes } from './routes/invoices.ts';
import { openInvoiceRoutes } from './routes/open-invoices.ts';
import { profileRoutes } from './routes/profile.ts';

/**
 * The recorded replies (recorded-replies.json, what the server really sends) against the schemas
 * the documentation and the SDK are made of. The compiler checks the builders' types; this
 * checks the values (patterns, enums, integers) and that no field is sent undocumented.
 */
const recorded = JSON.parse(readFileSync(new URL('./recorded-replies.json', import.meta.url), 'utf8')) as Record<string, { status: number; plaintext: string }>;

// Work is never called here: only the routes' declared schemas and messages are read.
const routes = [...invoiceRoutes({} as never), ...openInvoiceRoutes({} as never), ...profileRoutes({} as never)];

/** Which endpoint each recorded reply came from; the transaction enquiry is a whole plain reply. */
const SOURCES: Record<string, { method: string; url: string } | { wholeReply: TSchema }> = {
  'create single invoice': { method: 'POST', url: '/api/v1/invoice' },
  'create single invoice from the sample bytes': { method: 'POST', url: '/api/v1/invoice' },
  'create installment plan': { method: 'POST', url: '/api/v1/invoice/emi' },
  'create open invoice': { method: 'POST', url: '/api/v1/open-invoice' },
  'refused invoice': { method: 'POST', url: '/api/v1/invoice' },
  'invoice details': { method: 'GET', url: '/api/v1/invoice/:invoice' },
  'invoice dashboard': { method: 'GET', url: '/api/v1/invoice-dashboard' },
  'open invoice list': { method: 'GET', url: '/api/v1/open-invoice' },
  profile: { method: 'GET', url: '/api/v1/profile' },
  'paid invoice details': { method: 'GET', url: '/api/v1/invoice/:invoice' },
  'transaction enquiry by reference': { wholeReply: TransactionEnquiryReply },
  cancel: { method: 'PUT', url: '/api/v1/invoice/:invoice' },
};

/**
 * The recording replaced random identifiers with `<random#N>`; a 26-digit number stands in for
 * each, valid wherever the originals were (tokens, keys, links).
 */
const withIdentifiers = (plaintext: string) => plaintext.replace(/<random#([0-9]+)>/g, (_, n: string) => `1${n.padStart(25, '0')}`);

/** Paths of `value` that `schema` does not declare (Value.Clean drops exactly those). */
function undeclared(schema: TSchema, value: unknown): string[] {
  const cleaned = Value.Clean(schema, Value.Clone(value));
  const found: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (a === null || typeof a !== 'object') return;
    for (const key of Object.keys(a)) {
      const next = `${path}/${key}`;
      if (b === null || typeof b !== 'object' || !(key in b)) found.push(next);
      else walk((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], next);
    }
  };
  walk(value, cleaned, '');
  return found;
}

describe('recorded replies match the documented schemas', () => {
  it('covers every recorded reply', () => {
    expect(Object.keys(recorded).sort()).toEqual(Object.keys(SOURCES).sort());
  });

  it.each(Object.keys(SOURCES))('%s', (name) => {
    const source = SOURCES[name]!;
    const entry = recorded[name]!;
    const body: unknown = JSON.parse(withIdentifiers(entry.plaintext));
    let schema: TSchema;
    if ('wholeReply' in source) {
      schema = source.wholeReply;
    } else {
      const route = routes.find((r) => r.method === source.method && r.url === source.url);
      expect(route, `${source.method} ${source.url} is declared`).toBeDefined();
      if (entry.status === 200) {
        schema = Reply(route!.response);
        expect((body as { message: unknown }).message).toBe(route!.successMessage);
      } else {
        schema = ErrorReply;
        expect((body as { code: unknown }).code).toBe(entry.status);
      }
    }
    expect([...Value.Errors(schema, body)]).toEqual([]);
    expect(undeclared(schema, body)).toEqual([]);
  });
});
