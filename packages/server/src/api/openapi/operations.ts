import { EncryptedData, EncryptedReply, EncryptedRequest, ErrorReply, Reply } from '@fawtara/contract';
import { phpJsonEncode, type Codec } from '@fawtara/wire';
import type { TObject, TSchema } from 'typebox';
import { IDEMPOTENCY_KEY_RE } from '../request-identity.ts';
import { errorExamples, type OperationExample } from './examples.ts';
import type { JsonSchema, SchemaRegistry } from './schema-registry.ts';

/**
 * How an operation is called: `merchant` is the encrypted API (accessCode header and bearer
 * token); `accessCode` the payment gateway's plain endpoints that Hesabe authenticates with the
 * header alone; `none` needs nothing.
 */
export type OperationAuth = 'merchant' | 'accessCode' | 'none';

/** What a route tells the documentation about itself. */
export interface OperationEntry {
  method: string;
  url: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  auth: OperationAuth;
  /** Honours Idempotency-Key (creating POSTs). */
  idempotent?: boolean;
  /** Can be refused because of the resource's state (409). */
  conflicts?: boolean;
  /** The decrypted payload (encrypted routes) or the plain body. */
  request?: TSchema;
  /** Documented query parameters of a plain route (its handler reads them itself). */
  query?: TObject;
  response: TSchema;
  /** The response schema is the whole reply, not the `response` of a `{status,message,response}` reply. */
  wholeReply?: boolean;
  successMessage?: string;
  /** Plain routes: each failure status and its cause; bodies are ErrorReply. */
  errors?: Record<number, string>;
  /** Plain routes: failures whose bodies have the success reply's shape. */
  replyErrors?: Record<number, string>;
  /** Plain routes: request content types the server parses into fields (default JSON). */
  consumes?: readonly string[];
  example?: OperationExample;
}

/** An operation's documented parts, completing what @fastify/swagger generated. */
export interface BuiltOperation {
  security: Record<string, string[]>[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  [extension: `x-${string}`]: unknown;
}

/** The security schemes' names in `components.securitySchemes`. */
export const SECURITY = { bearer: 'bearerAuth', accessCode: 'accessCode' } as const;

/**
 * Request content types that reach an encrypted route's `data` (see read-data-field.ts): the
 * three that carry a `data` field, and the bare hex as text. Anything else Fastify refuses
 * (400, as every malformed body).
 */
const ENVELOPE_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'] as const;
const TEXT = 'text/plain';

const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', pattern: IDEMPOTENCY_KEY_RE.source },
  description:
    'Repeat-safe creation: the same key and payload return the first result (marked `idempotent-replayed: true`); another payload under it is refused (422)',
};
const REPLAYED_HEADER = {
  description: 'Present when the reply is the stored one of an earlier request with the same Idempotency-Key',
  schema: { type: 'string', const: 'true' },
};

const pascal = (id: string) => id.charAt(0).toUpperCase() + id.slice(1);

/**
 * Builds the documented parts of the operations. The decrypted payload and reply of an encrypted
 * operation are named components, linked from the encrypted field that carries them with JSON
 * Schema's `contentMediaType`/`contentSchema` (the 2020-12 words for "this string holds a JSON
 * document of that schema": linters and validators follow them, so no component is left
 * dangling), and repeated as `x-decrypted-request`/`x-decrypted-response` references on the
 * operation, one fixed place for generators and readers that do not look inside strings. The
 * bodies themselves reference the envelope components unchanged (3.1 allows siblings beside
 * `$ref`), so a generator types every body as the same EncryptedRequest/EncryptedReply.
 */
export function createOperationBuilder(registry: SchemaRegistry, sandbox: Codec) {
  const ref = (schema: object, name: string) => registry.ref(schema, name);
  const inside = (schema: JsonSchema) => ({ contentMediaType: 'application/json', contentSchema: schema });
  const encryptedError: JsonSchema = {
    ...ref(EncryptedReply, 'EncryptedReply'),
    description: 'An ErrorReply, encrypted: what failures answer once the payload decrypted',
    properties: { response: inside(ref(ErrorReply, 'ErrorReply')) },
  };
  const errorContent = (example?: unknown) => ({
    'application/json': { schema: ref(ErrorReply, 'ErrorReply'), ...(example === undefined ? {} : { example }) },
  });
  const encryptedErrorContent = () => ({ 'application/json': { schema: ref(encryptedError, 'EncryptedErrorReply') } });
  const componentName = (schema: JsonSchema) => String(schema.$ref).split('/').pop()!;
  /** Media type examples of what travels, encrypted with the sandbox keys so that they can be sent as they are. */
  const sandboxExample = (decrypted: JsonSchema, value: unknown) => ({
    examples: {
      sandbox: {
        summary: 'Sandbox merchant',
        description: `Encrypted with the sandbox merchant's key and IV: the example of ${componentName(decrypted)}.`,
        value,
      },
    },
  });

  function encrypted(e: OperationEntry): BuiltOperation {
    const P = pascal(e.operationId);
    const request = e.request;
    if (!request) throw new Error(`${e.operationId}: an encrypted operation declares its decrypted payload`);
    const reply = Reply(e.response);
    const requestExample = e.example?.request;
    const replyExample = e.example?.response === undefined ? undefined : { status: true, message: e.successMessage ?? '', response: e.example.response };
    if (requestExample !== undefined) registry.example(request, `${P}Request`, requestExample);
    if (replyExample !== undefined) registry.example(reply, `${P}Reply`, replyExample);
    const decryptedRequest = ref(request, `${P}Request`);
    const decryptedReply = ref(reply, `${P}Reply`);
    const requestHex = requestExample === undefined ? undefined : sandbox.encrypt(JSON.stringify(requestExample));
    const replyHex = replyExample === undefined ? undefined : sandbox.encrypt(phpJsonEncode(replyExample));
    const inQuery = e.method === 'GET' || e.method === 'DELETE';

    const parameters: unknown[] = [];
    if (e.idempotent) parameters.push(IDEMPOTENCY_KEY);
    if (inQuery) {
      // A body on GET or DELETE has no defined meaning in OpenAPI: the documented way is ?data=.
      parameters.push({
        name: 'data',
        in: 'query',
        required: true,
        schema: { ...ref(EncryptedData, 'EncryptedData'), ...inside(decryptedRequest) },
        description: `The encrypted ${componentName(decryptedRequest)} (also read from a JSON or form body).`,
        ...(requestHex === undefined ? {} : { example: requestHex }),
      });
      if (e.method === 'GET') parameters.push(...plainFilters(request));
    }
    return {
      security: [{ [SECURITY.accessCode]: [], [SECURITY.bearer]: [] }],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(inQuery ? {} : { requestBody: encryptedBody(decryptedRequest, requestHex) }),
      responses: {
        200: {
          description: `${e.successMessage ?? 'Success'} (encrypted ${componentName(decryptedReply)})`,
          ...(e.idempotent ? { headers: { 'idempotent-replayed': REPLAYED_HEADER } } : {}),
          content: {
            'application/json': {
              schema: { ...ref(EncryptedReply, 'EncryptedReply'), properties: { response: inside(decryptedReply) } },
              ...(replyHex === undefined ? {} : sandboxExample(decryptedReply, { response: replyHex })),
            },
          },
        },
        400: { description: 'Undecryptable or unreadable payload (plain, the same for every cause)', content: errorContent(errorExamples[400]) },
        401: {
          description: 'Bad or missing accessCode or bearer token (plain), or a merchantCode of another merchant (encrypted)',
          content: {
            'application/json': { schema: { oneOf: [ref(ErrorReply, 'ErrorReply'), ref(encryptedError, 'EncryptedErrorReply')] }, example: errorExamples[401] },
          },
        },
        ...(/:\w+/.test(e.url) ? { 404: { description: "Not found, or another merchant's (encrypted ErrorReply)", content: encryptedErrorContent() } } : {}),
        ...(e.conflicts
          ? { 409: { description: 'The state forbids it, e.g. cancelling a paid invoice (encrypted ErrorReply)', content: encryptedErrorContent() } }
          : {}),
        422: { description: 'Validation failed (encrypted ErrorReply whose response names each field)', content: encryptedErrorContent() },
      },
      'x-decrypted-request': decryptedRequest,
      'x-decrypted-response': decryptedReply,
    };
  }

  /** The same envelope in each content type that carries a `data` field, and the bare hex as text. */
  function encryptedBody(decrypted: JsonSchema, hex: string | undefined) {
    const envelope = { ...ref(EncryptedRequest, 'EncryptedRequest'), properties: { data: inside(decrypted) } };
    const content: Record<string, unknown> = {};
    for (const type of ENVELOPE_TYPES) content[type] = { schema: envelope, ...(hex === undefined ? {} : sandboxExample(decrypted, { data: hex })) };
    content[TEXT] = { schema: { ...ref(EncryptedData, 'EncryptedData'), ...inside(decrypted) }, ...(hex === undefined ? {} : sandboxExample(decrypted, hex)) };
    return { required: true, description: `The encrypted ${componentName(decrypted)}.`, content };
  }

  /** GET lists also take their filters in the plain query string. */
  function plainFilters(request: TSchema) {
    const properties = (request as { properties?: Record<string, TSchema> }).properties ?? {};
    return Object.entries(properties)
      .filter(([name]) => name !== 'merchantCode')
      .map(([name, schema]) => {
        const { description, ...rest } = registry.inline(schema);
        const why = 'Plain filter; the same field inside the payload wins.';
        return { name, in: 'query', required: false, schema: rest, description: description ? `${String(description)}. ${why}` : why };
      });
  }

  function plain(e: OperationEntry): BuiltOperation {
    const P = pascal(e.operationId);
    const reply = e.wholeReply ? e.response : Reply(e.response);
    const response = e.example?.response;
    const replyExample = response === undefined || e.wholeReply ? response : { status: true, message: e.successMessage ?? '', response };
    const replyContent = (example?: unknown) => ({ 'application/json': { schema: ref(reply, `${P}Reply`), ...(example === undefined ? {} : { example }) } });
    const requestBody = e.request && {
      required: true,
      content: Object.fromEntries(
        (e.consumes ?? ['application/json']).map((type) => [
          type,
          { schema: ref(e.request!, `${P}Request`), ...(e.example?.request === undefined ? {} : { example: e.example.request }) },
        ]),
      ),
    };
    const required = new Set(e.query?.required ?? []);
    const parameters = Object.entries(e.query?.properties ?? {}).map(([name, schema]) => {
      const { description, ...rest } = registry.inline(schema);
      return { name, in: 'query', required: required.has(name), schema: rest, ...(description ? { description } : {}) };
    });
    return {
      security: e.auth === 'accessCode' ? [{ [SECURITY.accessCode]: [] }] : [],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses: {
        200: { description: e.successMessage ?? 'Success', content: replyContent(replyExample) },
        ...Object.fromEntries(Object.entries(e.errors ?? {}).map(([status, description]) => [status, { description, content: errorContent() }])),
        ...Object.fromEntries(Object.entries(e.replyErrors ?? {}).map(([status, description]) => [status, { description, content: replyContent() }])),
      },
    };
  }

  return { build: (e: OperationEntry): BuiltOperation => (e.auth === 'merchant' ? encrypted(e) : plain(e)) };
}
