import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { ApiDocs } from '../../api/api-docs.ts';
import type { MerchantApi } from '../../api/merchant-api.ts';
import { EmiCreateRequest, InvoiceCreateRequest, InvoiceObject } from '../../contract/merchant-api.schemas.ts';
import type { InvoicesService } from './invoices.service.ts';

export function registerInvoiceRoutes(app: FastifyInstance, deps: { api: MerchantApi; invoices: InvoicesService; docs: ApiDocs }): void {
  const single = deps.docs.encrypted({
    method: 'POST',
    url: '/api/v1/invoice',
    tags: ['invoices'],
    summary: 'Create a single invoice',
    description: 'Seed 000. Creates an invoice and its hosted payment page (`url`). Delivery by SMS, WhatsApp, e-mail or link per `invoiceSubType`.',
    request: InvoiceCreateRequest,
    response: InvoiceObject,
    successMessage: 'Invoice generated successfully',
  });
  app.post('/api/v1/invoice', { schema: single }, deps.api.handler((ctx) => deps.invoices.createSingle(ctx), { idempotent: true }));

  const emi = deps.docs.encrypted({
    method: 'POST',
    url: '/api/v1/invoice/emi',
    tags: ['invoices'],
    summary: 'Create a HeStallMent (installment) plan',
    description: 'Seed 003. One invoice per installment, in order, all in one transaction: one invalid installment creates nothing and the error names it (`invoices.1.amount`).',
    request: EmiCreateRequest,
    response: Type.Array(InvoiceObject),
    successMessage: 'Invoices generated successfully',
  });
  app.post('/api/v1/invoice/emi', { schema: emi }, deps.api.handler((ctx) => deps.invoices.createInstallments(ctx), { idempotent: true }));
}
