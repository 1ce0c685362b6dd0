import { Type } from 'typebox';
import { ListQuery, MerchantOnly, OpenInvoiceCreateRequest, OpenInvoiceList, OpenInvoiceObject, OpenInvoiceUpdateRequest } from '@fawtara/contract';
import type { OpenInvoicesService } from '../../modules/open-invoices/open-invoices.service.ts';
import { encryptedRoute, type EncryptedRoute } from '../merchant-api.ts';
import { createOpenInvoiceExample } from '../openapi/examples.ts';

export function openInvoiceRoutes(deps: { openInvoices: OpenInvoicesService }): EncryptedRoute[] {
  const { openInvoices } = deps;
  return [
    encryptedRoute({
      method: 'POST',
      url: '/api/v1/open-invoice',
      operationId: 'createOpenInvoice',
      idempotent: true,
      tags: ['open invoices'],
      summary: 'Create an open invoice (reusable payment link)',
      description: 'Fixed amount (`amountType` "0") or customer-chosen between min and max (`amountType` "1"). Expiry optional.',
      request: OpenInvoiceCreateRequest,
      response: OpenInvoiceObject,
      successMessage: 'Open Invoice has been created successfully.',
      example: createOpenInvoiceExample,
      handle: (call) => openInvoices.create(call),
    }),
    encryptedRoute({
      method: 'GET',
      url: '/api/v1/open-invoice',
      operationId: 'listOpenInvoices',
      tags: ['open invoices'],
      summary: 'List open invoices',
      description: 'Newest first, 20 a page; dates are merchant-local creation days; `search` matches title, reference number or description.',
      request: ListQuery,
      response: OpenInvoiceList,
      successMessage: 'Open Invoice List',
      handle: (call) => openInvoices.list({ merchant: call.merchant, filters: { ...call.query, ...call.payload } }),
    }),
    encryptedRoute({
      method: 'PUT',
      url: '/api/v1/open-invoice/:id',
      operationId: 'updateOpenInvoice',
      conflicts: true,
      tags: ['open invoices'],
      summary: 'Change the expiry date of an open invoice',
      description: 'Only `expiryDate` can change; sending any other field is refused. A cancelled open invoice cannot be updated.',
      request: OpenInvoiceUpdateRequest,
      response: OpenInvoiceObject,
      successMessage: 'Open invoice updated successfully',
      handle: (call) => openInvoices.update({ merchant: call.merchant, payload: call.payload, id: call.params.id! }),
    }),
    encryptedRoute({
      method: 'DELETE',
      url: '/api/v1/open-invoice/:id',
      operationId: 'cancelOpenInvoice',
      conflicts: true,
      tags: ['open invoices'],
      summary: 'Cancel an open invoice',
      description: 'Its link stops taking payments.',
      request: MerchantOnly,
      response: Type.Null(),
      successMessage: 'Open Invoice canceled successfully',
      handle: async (call) => {
        await openInvoices.cancel({ merchant: call.merchant, id: call.params.id! });
        return null;
      },
    }),
  ];
}
