import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDocs } from '../api-docs.ts';
import type { MerchantApi } from '../merchant-api.ts';
import { TransactionEnquiryReply } from '@fawtara/contract';
import { Type } from 'typebox';
import { scalarText } from '../../lib/field-validator.ts';
import type { PaymentsService } from '../../modules/payments/payments.service.ts';
import { toTransactionObject } from '../../modules/payments/transaction-view.ts';
import { enquireTransactionExample } from '../openapi/examples.ts';

/** Documentation only: the handler reads the flag itself, from the query or a body. */
const EnquiryQuery = Type.Object({
  isOrderReference: Type.Optional(Type.String({ enum: ['0', '1', 'true', 'false'], description: '"1" or "true": the path segment is an order reference' })),
});

/**
 * Transaction enquiry of the payment gateway: `GET /api/transaction/{token}` with the
 * `accessCode` header, or `{orderReference}` with `isOrderReference=1`. Plain JSON, as Hesabe
 * answers it.
 * The older POST form and the `/enquire/` path some kits still call are served the same way.
 * Another merchant's transaction answers exactly like one that does not exist.
 */
export function registerTransactionRoutes(app: FastifyInstance, deps: { api: MerchantApi; payments: PaymentsService; docs: ApiDocs }): void {
  const isOrderReference = (request: FastifyRequest): boolean => {
    const fromQuery = (request.query as Record<string, unknown> | undefined)?.isOrderReference;
    const body = request.body;
    const fromBody = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).isOrderReference : undefined;
    const flag = scalarText(fromQuery ?? fromBody);
    return flag === '1' || flag === 'true';
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const merchant = await deps.api.merchantByAccessCode(request);
    const found = await deps.payments.enquire(merchant.id, (request.params as { data: string }).data, isOrderReference(request));
    if (!found) return reply.code(404).send({ status: false, message: 'Transaction not found', data: null, results: [] });
    return {
      status: true,
      message: 'Transaction found',
      data: toTransactionObject(found.data, merchant.time_zone),
      results: found.results.map((t) => toTransactionObject(t, merchant.time_zone)),
    };
  };

  deps.docs.registerPlain(app, {
    method: 'GET',
    url: '/api/transaction/:data',
    operationId: 'enquireTransaction',
    auth: 'accessCode',
    tags: ['transactions'],
    summary: 'Transaction enquiry by payment token or order reference',
    description:
      'Authenticated by the accessCode header alone. With isOrderReference=1 (query or body) `data` is an order reference and `results` lists every attempt under it; `data` is the successful one, else the latest. POST and /api/transaction/enquire/{data} work the same way.',
    query: EnquiryQuery,
    response: TransactionEnquiryReply,
    wholeReply: true,
    successMessage: 'Transaction found',
    errors: { 401: 'Missing or unknown accessCode' },
    replyErrors: { 404: "No such transaction, or another merchant's" },
    example: enquireTransactionExample,
    handler,
    aliases: [
      { method: 'POST', url: '/api/transaction/:data' },
      { method: 'GET', url: '/api/transaction/enquire/:data' },
      { method: 'POST', url: '/api/transaction/enquire/:data' },
    ],
  });
}
