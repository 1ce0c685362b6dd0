import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { ApiDocs } from '../../api/api-docs.ts';
import type { MerchantApi } from '../../api/merchant-api.ts';
import { DashboardQuery, DashboardReply, EmiCreateRequest, InvoiceCreateRequest, InvoiceObject, MerchantOnly, ResendRequest, StatusUpdateRequest } from '@fawtara/contract';
import type { InvoiceManagementService } from './invoice-management.service.ts';
import type { InvoicesService } from './invoices.service.ts';

export function registerInvoiceRoutes(app: FastifyInstance, deps: { api: MerchantApi; invoices: InvoicesService; management: InvoiceManagementService; docs: ApiDocs }): void {
  const single = deps.docs.encrypted({
    method: 'POST',
    url: '/api/v1/invoice',
    tags: ['invoices'],
    summary: 'Create a single invoice',
    description: 'Seed 000. Creates an invoice and its hosted payment page (`url`). Delivery by SMS, WhatsApp, e-mail or link per `invoiceSubType`.',
    request: InvoiceCreateRequest,
    response: InvoiceObject,
    successMessage: 'Invoice generated successfully',
    idempotent: true,
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
    idempotent: true,
  });
  app.post('/api/v1/invoice/emi', { schema: emi }, deps.api.handler((ctx) => deps.invoices.createInstallments(ctx), { idempotent: true }));

  const { management } = deps;
  const dashboard = deps.docs.encrypted({
    method: 'GET',
    url: '/api/v1/invoice-dashboard',
    tags: ['invoices'],
    summary: 'List invoices with stats',
    description:
      'Newest first (merchant-local day, then id), 20 a page. `search` (3+ characters) matches reference number, customer name, phone or e-mail anywhere in the text. `stats` count by status over the date range and type (not the search).',
    request: DashboardQuery,
    response: DashboardReply,
    successMessage: 'Invoice Dashboard',
  });
  app.get('/api/v1/invoice-dashboard', { schema: dashboard }, deps.api.handler((ctx) => management.dashboard({ ...ctx, query: ctx.request.query as Record<string, unknown> })));

  const resend = deps.docs.encrypted({
    method: 'POST',
    url: '/api/v1/invoice/resend',
    tags: ['invoices'],
    summary: 'Resend an invoice to a mobile number',
    description: 'Queues a delivery (SMS, or WhatsApp for WhatsApp invoices) of a payable invoice. Paid, cancelled and expired invoices are refused (409).',
    request: ResendRequest,
    response: InvoiceObject,
    successMessage: 'Invoice Resent Successfully',
    conflicts: true,
  });
  app.post('/api/v1/invoice/resend', { schema: resend }, deps.api.handler((ctx) => management.resend(ctx)));

  const details = deps.docs.encrypted({
    method: 'GET',
    url: '/api/v1/invoice/:invoice',
    tags: ['invoices'],
    summary: 'Invoice details',
    description: 'The path segment is the invoice\'s numeric `id` (not its token). Installments include their plan (`plan.status` is paid when every installment is paid).',
    request: MerchantOnly,
    response: InvoiceObject,
    successMessage: 'Invoice details',
  });
  app.get('/api/v1/invoice/:invoice', { schema: details }, deps.api.handler((ctx) => management.details({ ...ctx, id: (ctx.request.params as { invoice: string }).invoice })));

  const cancel = deps.docs.encrypted({
    method: 'PUT',
    url: '/api/v1/invoice/:invoice',
    tags: ['invoices'],
    summary: 'Cancel an invoice',
    description: 'The path segment is the invoice\'s numeric `token` (as Hesabe), with `statusId` "3". Only a payable invoice can be cancelled; a cancelled invoice can never be paid.',
    request: StatusUpdateRequest,
    response: Type.Null(),
    successMessage: 'Invoice status update successful',
    conflicts: true,
  });
  app.put('/api/v1/invoice/:invoice', { schema: cancel }, deps.api.handler((ctx) => management.updateStatus({ ...ctx, token: (ctx.request.params as { invoice: string }).invoice })));
}
