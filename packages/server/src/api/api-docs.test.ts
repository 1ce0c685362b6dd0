import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../test-support/engines.ts';
import { startGateway, type TestGateway } from '../test-support/gateway.ts';
import { DECRYPTED } from './api-docs.ts';

describeEngines('OpenAPI document and docs page', (ctx) => {
  let gw: TestGateway;
  let doc: any;
  beforeAll(async () => {
    gw = await startGateway(ctx.db);
    const res = await gw.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(async () => gw.close());

  it('describes every merchant endpoint', () => {
    expect(doc.openapi).toBe('3.0.3');
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
      ].sort(),
    );
    // The customer pages (/s/…, /open-invoice/checkout/…, /receipt/…) are not API.
    const enquiry = doc.paths['/api/transaction/{data}'].get;
    expect(enquiry.parameters.map((p: { name: string }) => p.name)).toContain('accessCode');
    expect(enquiry.responses['200'].content['application/json'].schema.properties.data.anyOf[0].properties).toHaveProperty('TrackID');
    expect(Object.keys(doc.paths['/api/v1/invoice/{invoice}']).sort()).toEqual(['get', 'put']);
    expect(Object.keys(doc.paths['/api/v1/open-invoice/{id}']).sort()).toEqual(['delete', 'put']);
  });

  it.each([
    ['/api/v1/invoice', 'invoiceSubType', 'en_sms'],
    ['/api/v1/invoice/emi', 'invoices', 'installment_number'],
    ['/api/v1/open-invoice', 'amountType', 'total_customer_paid_count'],
  ])('%s documents the encrypted body and the decrypted request and reply', (path, requestField, replyField) => {
    const op = doc.paths[path].post;
    expect(op.requestBody.content['application/json'].schema.properties).toHaveProperty('data');
    expect(op.requestBody.content[DECRYPTED].schema.properties).toHaveProperty(requestField);
    expect(op.responses['200'].content['application/json'].schema.properties).toHaveProperty('response');
    const reply = op.responses['200'].content[DECRYPTED].schema.properties.response;
    const obj = reply.type === 'array' ? reply.items : reply;
    expect(obj.properties).toHaveProperty(replyField);
    expect(op.parameters.map((p: any) => p.name)).toEqual(['accessCode', 'Authorization', 'Idempotency-Key']);
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '422']);
  });

  it('documents GET endpoints with the data parameter, plain filters and the decrypted payload', () => {
    const op = doc.paths['/api/v1/invoice-dashboard'].get;
    const names = op.parameters.map((p: any) => p.name);
    expect(names).toEqual(expect.arrayContaining(['accessCode', 'Authorization', 'data', 'fromDate', 'toDate', 'page', 'search', 'invoiceType']));
    expect(op['x-decrypted-request'].properties).toHaveProperty('merchantCode');
    expect(op.responses['200'].content[DECRYPTED].schema.properties.response.properties.stats.properties).toHaveProperty('invoice_paid');
    expect(doc.paths['/api/v1/invoice/{invoice}'].put.responses).toHaveProperty('409');
    expect(doc.paths['/api/v1/invoice/{invoice}'].get.responses).toHaveProperty('404');
  });

  it('documents login with its plain request and token reply', () => {
    const op = doc.paths['/api/v1/login'].post;
    expect(op.requestBody.content['application/json'].schema.required).toEqual(['username', 'password']);
    expect(op.responses['200'].content['application/json'].schema.properties.response.properties.token.properties).toHaveProperty('refresh_token');
  });

  it('serves a docs page', async () => {
    const res = await gw.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });
});
