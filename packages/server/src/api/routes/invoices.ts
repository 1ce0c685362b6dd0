import { Type } from 'typebox';
import {
  DashboardQuery,
  DashboardReply,
  EmiCreateRequest,
  InvoiceCreateRequest,
  InvoiceObject,
  MerchantOnly,
  ResendRequest,
  StatusUpdateRequest,
} from '@fawtara/contract';
import type { InvoiceManagementService } from '../../modules/invoices/invoice-management.service.ts';
import type { InvoicesService } from '../../modules/invoices/invoices.service.ts';
import { encryptedRoute, type EncryptedRoute } from '../merchant-api.ts';
import { createInvoiceExample } from '../openapi/examples.ts';

export function invoiceRoutes(deps: { invoices: InvoicesService; management: InvoiceManagementService }): EncryptedRoute[] {
  const { invoices, management } = deps;
  return [
    encryptedRoute({
      method: 'POST',
      url: '/api/v1/invoice',
      operationId: 'createInvoice',
      idempotent: true,
      tags: ['invoices'],
      summary: 'Create a single invoice',
      description: 'Creates an invoice and its hosted payment page (`url`). Delivery by SMS, WhatsApp, e-mail or link per `invoiceSubType`.',
      request: InvoiceCreateRequest,
      response: InvoiceObject,
      successMessage: 'Invoice generated successfully',
      example: createInvoiceExample,
      handle: (call) => invoices.createSingle(call),
    }),
    encryptedRoute({
      method: 'POST',
      url: '/api/v1/invoice/emi',
      operationId: 'createInstallmentPlan',
      idempotent: true,
      tags: ['invoices'],
      summary: 'Create a HeStallMent (installment) plan',
      description:
        'One invoice per installment, in order, all in one transaction: one invalid installment creates nothing and the error names it (`invoices.1.amount`).',
      request: EmiCreateRequest,
      response: Type.Array(InvoiceObject),
      successMessage: 'Invoices generated successfully',
      handle: (call) => invoices.createInstallments(call),
    }),
    encryptedRoute({
      method: 'GET',
      url: '/api/v1/invoice-dashboard',
      operationId: 'listInvoices',
      tags: ['invoices'],
      summary: 'List invoices with stats',
      description:
        'Newest first (merchant-local day, then id), 20 a page. `search` (3+ characters) matches reference number, customer name, phone or e-mail anywhere in the text. `stats` count by status over the date range and type (not the search).',
      request: DashboardQuery,
      response: DashboardReply,
      successMessage: 'Invoice Dashboard',
      handle: (call) => management.dashboard({ merchant: call.merchant, filters: { ...call.query, ...call.payload } }),
    }),
    encryptedRoute({
      method: 'POST',
      url: '/api/v1/invoice/resend',
      operationId: 'resendInvoice',
      conflicts: true,
      tags: ['invoices'],
      summary: 'Resend an invoice to a mobile number',
      description: 'Queues a delivery (SMS, or WhatsApp for WhatsApp invoices) of a payable invoice. Paid, cancelled and expired invoices are refused (409).',
      request: ResendRequest,
      response: InvoiceObject,
      successMessage: 'Invoice Resent Successfully',
      handle: (call) => management.resend(call),
    }),
    encryptedRoute({
      method: 'GET',
      url: '/api/v1/invoice/:invoice',
      operationId: 'getInvoice',
      tags: ['invoices'],
      summary: 'Invoice details',
      description:
        "The path segment is the invoice's numeric `id` (not its token). Installments include their plan (`plan.status` is paid when every installment is paid).",
      request: MerchantOnly,
      response: InvoiceObject,
      successMessage: 'Invoice details',
      handle: (call) => management.details({ merchant: call.merchant, id: call.params.invoice! }),
    }),
    encryptedRoute({
      method: 'PUT',
      url: '/api/v1/invoice/:invoice',
      operationId: 'cancelInvoice',
      conflicts: true,
      tags: ['invoices'],
      summary: 'Cancel an invoice',
      description:
        'The path segment is the invoice\'s numeric `token` (as Hesabe), with `statusId` "3". Only a payable invoice can be cancelled; a cancelled invoice can never be paid.',
      request: StatusUpdateRequest,
      response: Type.Null(),
      successMessage: 'Invoice status update successful',
      handle: async (call) => {
        await management.updateStatus({ merchant: call.merchant, payload: call.payload, token: call.params.invoice! });
        return null;
      },
    }),
  ];
}
