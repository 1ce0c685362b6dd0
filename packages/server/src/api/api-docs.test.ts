import { createConfig, lintFromString, type NormalizedProblem } from '@redocly/openapi-core';
import { createCodec, SANDBOX_CREDENTIALS } from '@fawtara/wire';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../test-support/engines.ts';
import { startGateway, type TestGateway } from '../test-support/gateway.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const sandbox = createCodec({ secretKey: SANDBOX_CREDENTIALS.secretKey, iv: SANDBOX_CREDENTIALS.iv });

/** Every operation of the document with its path and method. */
function operations(doc: any): { path: string; method: string; op: any }[] {
  return Object.entries(doc.paths).flatMap(([path, item]: [string, any]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] })),
  );
}

/** The component a local `$ref` names. */
const componentOf = (schema: { $ref?: string }) => schema.$ref?.replace('#/components/schemas/', '');

const describeProblem = (p: NormalizedProblem) => `${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`;

/**
 * Warnings accepted, each for a reason: GET /health cannot fail with a 4xx, so it has none to declare.
 */
const ACCEPTED_WARNINGS = ['operation-4xx-response at #/paths/~1health/get/responses: Operation must have at least one `4XX` response.'];

describeEngines('OpenAPI document and docs page', (ctx) => {
  let gw: TestGateway;
  let doc: any;
  let source: string;
  beforeAll(async () => {
    gw = await startGateway(ctx.db);
    const res = await gw.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    source = res.body;
    doc = res.json();
  });
  afterAll(async () => gw.close());

  it('describes every merchant endpoint and the health check, as OpenAPI 3.1', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/v1/invoice',
        '/api/v1/invoice-dashboard',
        '/api/v1/invoice/emi',
        '/api/v1/invoice/resend',
        '/api/v1/invoice/{invoice}',
        '/api/v1/login',
        '/api/v1/open-invoice',
        '/api/v1/open-invoice/{id}',
        '/api/v1/profile',
        '/api/v1/token-refresh',
        '/api/transaction/{data}',
        '/api/v1/webhook-events',
        '/api/v1/webhook-events/{id}/redeliver',
        '/api/v1/webhook-secret',
        '/api/v1/webhook-secret/rotate',
        '/api/v1/webhook-settings',
        '/health',
      ].sort(),
    );
    // The customer pages (/s/…, /open-invoice/checkout/…, /receipt/…) are not API.
    expect(Object.keys(doc.paths['/api/v1/invoice/{invoice}']).sort()).toEqual(['get', 'put']);
    expect(Object.keys(doc.paths['/api/v1/open-invoice/{id}']).sort()).toEqual(['delete', 'put']);
  });

  it('lints with no error under the recommended rules of @redocly/openapi-core, and only the accepted warnings', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source, absoluteRef: 'http://fawtara.test/docs/json', config });
    expect(problems.filter((p) => p.severity === 'error').map(describeProblem)).toEqual([]);
    expect(problems.filter((p) => p.severity !== 'error').map(describeProblem)).toEqual(ACCEPTED_WARNINGS);
  });

  it('declares the bearer token and the accessCode as security schemes, and each operation what it needs', () => {
    expect(doc.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      accessCode: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'accessCode' }),
    });
    const security = Object.fromEntries(operations(doc).map(({ op }) => [op.operationId, op.security]));
    const publicOperations = ['login', 'refreshToken', 'health'];
    for (const [id, requirements] of Object.entries(security)) {
      if (publicOperations.includes(id)) expect(requirements, id).toEqual([]);
      else if (id === 'enquireTransaction') expect(requirements, id).toEqual([{ accessCode: [] }]);
      else expect(requirements, id).toEqual([{ accessCode: [], bearerAuth: [] }]);
    }
    // Swagger UI sends credentials for the schemes; header parameters by those names would be dropped.
    const headers = operations(doc).flatMap(({ op }) => (op.parameters ?? []).filter((p: any) => p.in === 'header').map((p: any) => p.name.toLowerCase()));
    expect(headers).not.toContain('authorization');
    expect(headers).not.toContain('accesscode');
  });

  it('gives every operation an operationId, a summary, declared tags and its failures', () => {
    const tags = new Set(doc.tags.map((t: { name: string }) => t.name));
    const ids = new Set<string>();
    for (const { path, method, op } of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
      ids.add(op.operationId);
      expect(op.summary, where).toBeTruthy();
      expect(op.tags.length, where).toBeGreaterThan(0);
      for (const tag of op.tags) expect(tags.has(tag), `${where}: tag ${tag}`).toBe(true);
      if (path !== '/health')
        expect(
          Object.keys(op.responses).some((s) => /^4\d\d$/.test(s)),
          where,
        ).toBe(true);
    }
    expect(ids.size).toBe(operations(doc).length);
  });

  it('names the envelope and the decrypted payloads and replies as components, linked from each encrypted operation', () => {
    const schemas = doc.components.schemas;
    for (const name of ['EncryptedRequest', 'EncryptedReply', 'EncryptedData', 'ErrorReply', 'EncryptedErrorReply', 'InvoiceObject', 'TransactionObject']) {
      expect(schemas, name).toHaveProperty(name);
    }
    const encrypted = operations(doc).filter(({ op }) => op['x-decrypted-request']);
    expect(encrypted.map(({ op }) => op.operationId).sort()).toEqual(
      [
        'cancelInvoice',
        'cancelOpenInvoice',
        'createInstallmentPlan',
        'createInvoice',
        'createOpenInvoice',
        'getInvoice',
        'getProfile',
        'getWebhookSecrets',
        'listInvoices',
        'listOpenInvoices',
        'listWebhookEvents',
        'redeliverWebhookEvent',
        'resendInvoice',
        'rotateWebhookSecret',
        'updateOpenInvoice',
        'updateWebhookSettings',
      ].sort(),
    );
    for (const { op } of encrypted) {
      const request = componentOf(op['x-decrypted-request'])!;
      const reply = componentOf(op['x-decrypted-response'])!;
      expect(schemas, op.operationId).toHaveProperty(request);
      expect(schemas, op.operationId).toHaveProperty(reply);
      expect(schemas[reply].properties.response, op.operationId).toBeDefined();
      const ok = op.responses['200'].content['application/json'].schema;
      expect(componentOf(ok)).toBe('EncryptedReply');
      expect(ok.properties.response.contentSchema).toEqual({ $ref: `#/components/schemas/${reply}` });
      const carrier = op.requestBody?.content['application/json'].schema.properties.data ?? op.parameters.find((p: any) => p.name === 'data').schema;
      expect(carrier.contentSchema, op.operationId).toEqual({ $ref: `#/components/schemas/${request}` });
    }
    const create = doc.paths['/api/v1/invoice'].post;
    expect(componentOf(create['x-decrypted-request'])).toBe('InvoiceCreateRequest');
    expect(schemas.InvoiceCreateRequest.properties).toHaveProperty('invoiceSubType');
    expect(componentOf(schemas.CreateInvoiceReply.properties.response)).toBe('InvoiceObject');
    expect(componentOf(schemas.CreateInstallmentPlanReply.properties.response.items)).toBe('InvoiceObject');
    expect(componentOf(schemas.InvoiceObject.properties.transaction.anyOf[0])).toBe('TransactionObject');
    expect(create.parameters.map((p: any) => p.name)).toEqual(['Idempotency-Key']);
    expect(Object.keys(create.responses).sort()).toEqual(['200', '400', '401', '422']);
    expect(doc.paths['/api/v1/invoice/{invoice}'].put.responses).toHaveProperty('409');
    expect(doc.paths['/api/v1/invoice/{invoice}'].get.responses).toHaveProperty('404');
  });

  it('documents GET endpoints with the data parameter and the plain filters', () => {
    const op = doc.paths['/api/v1/invoice-dashboard'].get;
    expect(op.parameters.map((p: any) => p.name)).toEqual(['data', 'fromDate', 'toDate', 'page', 'perPage', 'search', 'invoiceType']);
    expect(doc.components.schemas.DashboardQuery.properties).toHaveProperty('merchantCode');
    expect(doc.components.schemas.DashboardReply.properties.stats.properties).toHaveProperty('invoice_paid');
  });

  it.each([
    ['/api/v1/invoice', 'InvoiceCreateRequest', 'CreateInvoiceReply'],
    ['/api/v1/open-invoice', 'OpenInvoiceCreateRequest', 'CreateOpenInvoiceReply'],
  ])('%s has examples whose envelopes decrypt to the decrypted examples', (path, request, reply) => {
    const op = doc.paths[path].post;
    const [decryptedRequest] = doc.components.schemas[request].examples;
    const [decryptedReply] = doc.components.schemas[reply].examples;
    expect(decryptedRequest.merchantCode).toBe(SANDBOX_CREDENTIALS.merchantCode);
    expect(decryptedReply.status).toBe(true);
    for (const [type, media] of Object.entries(op.requestBody.content) as [string, any][]) {
      const value = media.examples.sandbox.value;
      expect(sandbox.decryptJson(type === 'text/plain' ? value : value.data), type).toEqual(decryptedRequest);
    }
    expect(sandbox.decryptJson(op.responses['200'].content['application/json'].examples.sandbox.value.response)).toEqual(decryptedReply);
  });

  it('documents the transaction enquiry and login with their plain bodies and examples', () => {
    const enquiry = doc.paths['/api/transaction/{data}'].get;
    expect(enquiry.parameters.map((p: any) => p.name)).toEqual(['data', 'isOrderReference']);
    const found = enquiry.responses['200'].content['application/json'];
    expect(componentOf(found.schema)).toBe('TransactionEnquiryReply');
    expect(found.example.data).toHaveProperty('TrackID');
    expect(componentOf(doc.components.schemas.TransactionEnquiryReply.properties.results.items)).toBe('TransactionObject');

    const login = doc.paths['/api/v1/login'].post;
    expect(Object.keys(login.requestBody.content)).toEqual(['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data']);
    expect(login.requestBody.content['application/json'].example).toEqual({ username: 'test', password: 'Test@1234' });
    expect(doc.components.schemas.LoginRequest.required).toEqual(['username', 'password']);
    expect(componentOf(doc.components.schemas.LoginReply.properties.response)).toBe('TokenReply');
    expect(Object.keys(login.responses).sort()).toEqual(['200', '401', '422', '429']);
  });

  it('serves a docs page', async () => {
    const res = await gw.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });
});
