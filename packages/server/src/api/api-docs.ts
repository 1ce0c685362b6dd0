import type { FastifyInstance, HTTPMethods, RouteHandlerMethod } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type, type TSchema } from 'typebox';
import { EncryptedReply, EncryptedRequest, ErrorReply, Reply } from '@fawtara/contract';

/**
 * OpenAPI for an API whose bodies are encrypted. Routes validate their own payloads (the data
 * can arrive as JSON, form, multipart or query), so their Fastify schemas carry no body: the
 * request and response documentation is attached here, after generation. Each encrypted
 * operation lists two media types: `application/json` (what travels) and
 * `application/vnd.fawtara.decrypted+json` (what is inside), so the docs page shows both.
 */
export const DECRYPTED = 'application/vnd.fawtara.decrypted+json';

interface DocEntry {
  method: string;
  url: string;
  encrypted: boolean;
  /** Honours Idempotency-Key (creating POSTs). */
  idempotent?: boolean;
  /** Can be refused because of the resource's state (409). */
  conflicts?: boolean;
  request?: TSchema;
  response: TSchema;
  /** The response schema is the whole reply, not the `response` of a `{status,message,response}` reply. */
  wholeReply?: boolean;
  /** Authenticated by the accessCode header alone (payment gateway endpoints). */
  accessCodeOnly?: boolean;
  successMessage: string;
}

export function createApiDocs() {
  const entries: DocEntry[] = [];

  function route(entry: DocEntry & { summary: string; description?: string; tags: string[] }) {
    entries.push(entry);
    return {
      summary: entry.summary,
      description: entry.description ?? '',
      tags: entry.tags,
      operationId: `${entry.method.toLowerCase()}${entry.url.replace(/[^a-zA-Z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    };
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the generated OpenAPI document is untyped JSON, patched in place
  function patch(doc: Record<string, any>): Record<string, any> {
    for (const e of entries) {
      const op = doc.paths?.[e.url.replace(/:(\w+)/g, '{$1}')]?.[e.method.toLowerCase()];
      if (!op) continue;
      const replySchema = e.wholeReply ? e.response : Reply(e.response);
      if (e.encrypted) {
        op.parameters = [
          ...(op.parameters ?? []),
          { name: 'accessCode', in: 'header', required: true, schema: { type: 'string' }, description: "The merchant's access code" },
          { name: 'Authorization', in: 'header', required: true, schema: { type: 'string' }, description: 'Bearer <access_token> from POST /api/v1/login' },
        ];
        if (e.idempotent) {
          op.parameters.push({
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            schema: { type: 'string', maxLength: 255 },
            description: 'Repeat-safe creation: the same key and payload return the first result',
          });
        }
        if (e.request && (e.method === 'GET' || e.method === 'DELETE')) {
          // Bodies on GET are not part of OpenAPI 3.0: the payload travels in ?data= (or a body).
          op.parameters.push({
            name: 'data',
            in: 'query',
            required: true,
            schema: { type: 'string' },
            description: `Hex of the encrypted payload (may also be sent in a JSON body). Decrypted: see x-decrypted-request.`,
          });
          op['x-decrypted-request'] = e.request;
          const properties = (e.request as { properties?: Record<string, TSchema> }).properties;
          if (e.method === 'GET' && properties) {
            for (const [name, schema] of Object.entries(properties)) {
              if (name !== 'merchantCode')
                op.parameters.push({ name, in: 'query', required: false, schema, description: 'Plain filter; the same field inside the payload wins' });
            }
          }
        } else if (e.request) {
          op.requestBody = { required: true, content: { 'application/json': { schema: EncryptedRequest }, [DECRYPTED]: { schema: e.request } } };
        }
        op.responses = {
          200: {
            description: `${e.successMessage} (encrypted)`,
            content: { 'application/json': { schema: EncryptedReply }, [DECRYPTED]: { schema: replySchema } },
          },
          400: {
            description: 'Undecryptable payload: plain {"status":false,"code":506,"message":"Invalid Request Data","response":null}',
            content: { 'application/json': { schema: ErrorReply } },
          },
          401: {
            description: 'Bad or missing accessCode / bearer token (plain), or a merchantCode of another merchant (encrypted)',
            content: { 'application/json': { schema: ErrorReply } },
          },
          422: { description: 'Validation failed (encrypted); response names each field', content: { [DECRYPTED]: { schema: ErrorReply } } },
          ...(/:\w+/.test(e.url)
            ? { 404: { description: "Not found, or another merchant's (encrypted)", content: { [DECRYPTED]: { schema: ErrorReply } } } }
            : {}),
          ...(e.conflicts
            ? { 409: { description: 'The state forbids it, e.g. cancelling a paid invoice (encrypted)', content: { [DECRYPTED]: { schema: ErrorReply } } } }
            : {}),
        };
      } else {
        if (e.request) op.requestBody = { required: true, content: { 'application/json': { schema: e.request } } };
        if (e.accessCodeOnly) {
          op.parameters = [
            ...(op.parameters ?? []),
            { name: 'accessCode', in: 'header', required: true, schema: { type: 'string' }, description: "The merchant's access code" },
          ];
          op.responses = {
            200: { description: e.successMessage, content: { 'application/json': { schema: replySchema } } },
            401: { description: 'Missing or unknown accessCode', content: { 'application/json': { schema: ErrorReply } } },
            404: { description: "Not found, or another merchant's", content: { 'application/json': { schema: replySchema } } },
          };
          continue;
        }
        op.responses = {
          200: { description: e.successMessage, content: { 'application/json': { schema: replySchema } } },
          401: { description: 'Invalid credentials or token', content: { 'application/json': { schema: ErrorReply } } },
          422: { description: 'Missing fields', content: { 'application/json': { schema: ErrorReply } } },
          429: { description: 'Too many failed attempts (Retry-After header)', content: { 'application/json': { schema: ErrorReply } } },
        };
      }
    }
    return doc;
  }

  return {
    encrypted: (e: Omit<DocEntry, 'encrypted'> & { summary: string; description?: string; tags: string[] }) => route({ ...e, encrypted: true }),
    plain: (e: Omit<DocEntry, 'encrypted'> & { summary: string; description?: string; tags: string[] }) => route({ ...e, encrypted: false }),

    /**
     * Registers a plain-JSON route with its documentation, so that its method and URL are written
     * once; `aliases` are the same handler at other URLs, left out of the docs.
     */
    registerPlain(
      app: FastifyInstance,
      e: Omit<DocEntry, 'encrypted' | 'method'> & {
        method: HTTPMethods;
        summary: string;
        description?: string;
        tags: string[];
        handler: RouteHandlerMethod;
        aliases?: readonly { method: HTTPMethods; url: string }[];
      },
    ): void {
      const { handler, aliases = [], ...doc } = e;
      app.route({ method: e.method, url: e.url, schema: route({ ...doc, encrypted: false }), handler });
      for (const alias of aliases) app.route({ method: alias.method, url: alias.url, schema: { hide: true }, handler });
    },

    async register(app: FastifyInstance, opts: { publicBaseUrl: string }): Promise<void> {
      await app.register(swagger, {
        openapi: {
          openapi: '3.0.3',
          info: {
            title: 'Fawtara merchant API',
            version: '1.0.0',
            description:
              'Hesabe-compatible invoicing API. Payloads are AES-256-CBC encrypted with the merchant secret key and IV (hex, 32-byte block padding). ' +
              `Each operation documents the encrypted body (application/json) and the decrypted payload (${DECRYPTED}).`,
          },
          servers: [{ url: opts.publicBaseUrl }],
        },
        transformObject: (documentObject) =>
          // eslint-disable-next-line @typescript-eslint/no-explicit-any -- @fastify/swagger types the document per OpenAPI version; ours is 3.0 only
          patch(('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject) as Record<string, any>) as any,
      });
      await app.register(swaggerUi, { routePrefix: '/docs' });
    },
  };
}

export type ApiDocs = ReturnType<typeof createApiDocs>;

export const TokenReply = Type.Object({
  token: Type.Object({
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ description: 'Access token lifetime in seconds (900)' }),
    access_token: Type.String(),
    refresh_token: Type.String({ description: 'Opaque; single use — every refresh returns a new one' }),
  }),
});
