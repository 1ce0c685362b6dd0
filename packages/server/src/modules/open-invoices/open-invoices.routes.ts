import type { FastifyInstance } from 'fastify';
import type { ApiDocs } from '../../api/api-docs.ts';
import type { MerchantApi } from '../../api/merchant-api.ts';
import { OpenInvoiceCreateRequest, OpenInvoiceObject } from '../../contract/merchant-api.schemas.ts';
import type { OpenInvoicesService } from './open-invoices.service.ts';

export function registerOpenInvoiceRoutes(app: FastifyInstance, deps: { api: MerchantApi; openInvoices: OpenInvoicesService; docs: ApiDocs }): void {
  const create = deps.docs.encrypted({
    method: 'POST',
    url: '/api/v1/open-invoice',
    tags: ['open invoices'],
    summary: 'Create an open invoice (reusable payment link)',
    description: 'Seed 004. Fixed amount (`amountType` "0") or customer-chosen between min and max (`amountType` "1"). Expiry optional.',
    request: OpenInvoiceCreateRequest,
    response: OpenInvoiceObject,
    successMessage: 'Open Invoice has been created successfully.',
  });
  app.post('/api/v1/open-invoice', { schema: create }, deps.api.handler((ctx) => deps.openInvoices.create(ctx), { idempotent: true }));
}
