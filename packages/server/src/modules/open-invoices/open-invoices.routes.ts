import type { FastifyInstance } from 'fastify';
import type { ApiDocs } from '../../api/api-docs.ts';
import type { MerchantApi } from '../../api/merchant-api.ts';
import { Type } from 'typebox';
import { ListQuery, MerchantOnly, OpenInvoiceCreateRequest, OpenInvoiceList, OpenInvoiceObject, OpenInvoiceUpdateRequest } from '@fawtara/contract';
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
    idempotent: true,
  });
  app.post('/api/v1/open-invoice', { schema: create }, deps.api.handler((ctx) => deps.openInvoices.create(ctx), { idempotent: true }));

  const list = deps.docs.encrypted({
    method: 'GET',
    url: '/api/v1/open-invoice',
    tags: ['open invoices'],
    summary: 'List open invoices',
    description: 'Newest first, 20 a page; dates are merchant-local creation days; `search` matches title, reference number or description.',
    request: ListQuery,
    response: OpenInvoiceList,
    successMessage: 'Open Invoice List',
  });
  app.get('/api/v1/open-invoice', { schema: list }, deps.api.handler((ctx) => deps.openInvoices.list({ ...ctx, query: ctx.request.query as Record<string, unknown> })));

  const update = deps.docs.encrypted({
    method: 'PUT',
    url: '/api/v1/open-invoice/:id',
    tags: ['open invoices'],
    summary: 'Change the expiry date of an open invoice',
    description: 'Only `expiryDate` can change; sending any other field is refused. A cancelled open invoice cannot be updated.',
    request: OpenInvoiceUpdateRequest,
    response: OpenInvoiceObject,
    successMessage: 'Open invoice updated successfully',
    conflicts: true,
  });
  app.put('/api/v1/open-invoice/:id', { schema: update }, deps.api.handler((ctx) => deps.openInvoices.update({ ...ctx, id: (ctx.request.params as { id: string }).id })));

  const cancel = deps.docs.encrypted({
    method: 'DELETE',
    url: '/api/v1/open-invoice/:id',
    tags: ['open invoices'],
    summary: 'Cancel an open invoice',
    description: 'Its link stops taking payments.',
    request: MerchantOnly,
    response: Type.Null(),
    successMessage: 'Open Invoice canceled successfully',
    conflicts: true,
  });
  app.delete('/api/v1/open-invoice/:id', { schema: cancel }, deps.api.handler((ctx) => deps.openInvoices.cancel({ ...ctx, id: (ctx.request.params as { id: string }).id })));
}
