import type { FastifyInstance, HTTPMethods, RouteHandlerMethod } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { createCodec, SANDBOX_CREDENTIALS } from '@fawtara/wire';
import { Type } from 'typebox';
import { createOperationBuilder, SECURITY, type OperationEntry } from './openapi/operations.ts';
import { createSchemaRegistry } from './openapi/schema-registry.ts';

/**
 * The OpenAPI 3.1 document of the merchant API. Routes validate their own payloads (the data
 * can arrive as JSON, form, multipart, text or query), so their Fastify schemas carry no body:
 * each route declares what the documentation needs (`OperationEntry`), and the operations'
 * security, bodies, parameters and responses are written here, after generation
 * (openapi/operations.ts), with the schemas they use as named components
 * (openapi/schema-registry.ts).
 */

/** The documented fields of a route, shared by its Fastify schema (which @fastify/swagger copies into the document). */
type RouteDoc = Omit<OperationEntry, 'auth'>;

const TAGS = [
  { name: 'auth', description: 'Bearer tokens for the encrypted API: log in with the panel user, refresh before the 15 minutes are up.' },
  { name: 'invoices', description: 'Single invoices and installment plans (HeStallMent), their dashboard, resending and cancelling.' },
  { name: 'open invoices', description: 'Reusable payment links with a fixed or customer-chosen amount.' },
  { name: 'merchant', description: "The calling merchant's profile." },
  { name: 'webhooks', description: 'Fawtara additions: webhook settings, events with their delivery attempts, and the signing secret.' },
  { name: 'transactions', description: "The payment gateway's transaction enquiry (plain JSON, accessCode only)." },
  { name: 'operations', description: 'For load balancers and monitoring.' },
];

const SECURITY_SCHEMES = {
  [SECURITY.bearer]: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The `access_token` of POST /api/v1/login or /api/v1/token-refresh (valid 15 minutes), of a user of the accessCode’s merchant.',
  },
  [SECURITY.accessCode]: { type: 'apiKey', in: 'header', name: 'accessCode', description: "The merchant's access code: selects its credentials and keys." },
};

const DESCRIPTION = [
  'Hesabe-compatible invoicing API.',
  '',
  "**Encryption.** The merchant API's payloads are JSON, AES-256-CBC encrypted with the merchant's secret key and IV, hex encoded (32-byte block padding).",
  'A request carries it as `data` (JSON, form or multipart field, a text/plain body, or `?data=` on GET and DELETE); a reply as `{"response": "<hex>"}`, errors included once the payload decrypted.',
  'Each operation documents the envelope (`EncryptedRequest`, `EncryptedReply`) and names the decrypted payload and reply: as the `contentSchema` of the encrypted field and as `x-decrypted-request` / `x-decrypted-response`.',
  "The examples are encrypted with the public sandbox merchant's key and IV, so they can be sent to a gateway in sandbox mode as they are.",
  '',
  '**Authentication.** Every encrypted operation needs both the `accessCode` header and a bearer token (`Authorization: Bearer <access_token>`) of the same merchant.',
].join('\n');

/** GET /health's reply. */
export const HealthReply = Type.Object({ status: Type.Literal('ok') });

export const TokenReply = Type.Object({
  token: Type.Object({
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ description: 'Access token lifetime in seconds (900)' }),
    access_token: Type.String(),
    refresh_token: Type.String({ description: 'Opaque; single use — every refresh returns a new one' }),
  }),
});

export function createApiDocs() {
  const entries: OperationEntry[] = [];

  function route(entry: OperationEntry) {
    entries.push(entry);
    return { summary: entry.summary, description: entry.description ?? '', tags: entry.tags, operationId: entry.operationId };
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the generated OpenAPI document is untyped JSON, completed in place
  function complete(doc: Record<string, any>): Record<string, any> {
    const registry = createSchemaRegistry({ TokenReply, HealthReply });
    const operations = createOperationBuilder(registry, createCodec({ secretKey: SANDBOX_CREDENTIALS.secretKey, iv: SANDBOX_CREDENTIALS.iv }));
    for (const e of entries) {
      const pathItem = doc.paths?.[e.url.replace(/:(\w+)/g, '{$1}')];
      const method = e.method.toLowerCase();
      if (!pathItem?.[method]) continue;
      // @fastify/swagger has written the names, the path parameters and a placeholder response.
      const { parameters: pathParameters = [], responses: _placeholder, ...named } = pathItem[method];
      const { security, parameters = [], requestBody, responses, ...extensions } = operations.build(e);
      const all = [...pathParameters, ...parameters];
      pathItem[method] = {
        ...named,
        security,
        ...(all.length > 0 ? { parameters: all } : {}),
        ...(requestBody ? { requestBody } : {}),
        responses,
        ...extensions,
      };
    }
    doc.tags = TAGS;
    doc.components = { securitySchemes: SECURITY_SCHEMES, schemas: registry.components() };
    return doc;
  }

  return {
    /** The Fastify schema of an encrypted route, whose documentation is completed later. */
    encrypted: (e: RouteDoc) => route({ ...e, auth: 'merchant' }),

    /**
     * Registers a plain-JSON route with its documentation, so that its method and URL are written
     * once; `aliases` are the same handler at other URLs, left out of the docs.
     */
    registerPlain(
      app: FastifyInstance,
      e: Omit<RouteDoc, 'method'> & {
        method: HTTPMethods;
        auth: 'accessCode' | 'none';
        handler: RouteHandlerMethod;
        aliases?: readonly { method: HTTPMethods; url: string }[];
      },
    ): void {
      const { handler, aliases = [], ...doc } = e;
      app.route({ method: e.method, url: e.url, schema: route(doc), handler });
      for (const alias of aliases) app.route({ method: alias.method, url: alias.url, schema: { hide: true }, handler });
    },

    async register(app: FastifyInstance, opts: { publicBaseUrl: string }): Promise<void> {
      await app.register(swagger, {
        openapi: {
          openapi: '3.1.0',
          info: {
            title: 'Fawtara merchant API',
            version: '1.0.0',
            description: DESCRIPTION,
            license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
          },
          servers: [{ url: opts.publicBaseUrl }],
        },
        transformObject: (documentObject) =>
          // eslint-disable-next-line @typescript-eslint/no-explicit-any -- @fastify/swagger types the document per OpenAPI version; ours is completed as plain JSON
          complete(('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject) as Record<string, any>) as any,
      });
      // Extensions shown, so the x-decrypted-* references of each operation are visible on the page.
      await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { showExtensions: true } });
    },
  };
}

export type ApiDocs = ReturnType<typeof createApiDocs>;
