import type { Core, RequestOptions } from '../core.ts';
import { FawtaraError } from '../errors.ts';
import type { Transaction, TransactionEnquiry } from '../types.ts';
import { isRecord } from '../is-record.ts';
import { segment } from './shared.ts';

/**
 * Transaction enquiry on the payment gateway: `GET {gateway}/api/transaction/{token}`
 * with the accessCode header alone (no login), plain JSON. On Hesabe this is the second host
 * (`gatewayUrl`); on Fawtara the same one.
 *
 * @example
 * const { data } = await client.transactions.enquire(paymentToken);
 * if (data?.status === 'SUCCESSFUL') fulfil(data.reference_number);
 */
export class Transactions {
  constructor(private readonly core: Core) {}

  /**
   * The attempt(s) behind a payment token. `data` is the transaction, `results` every match.
   *
   * @throws NotFoundError when the token is unknown (or another merchant's).
   * @example
   * const enquiry = await client.transactions.enquire('84221716951937729753667644493');
   */
  async enquire(token: string, options: RequestOptions = {}): Promise<TransactionEnquiry> {
    const reply = await this.core.gateway({ path: `/api/transaction/${segment(token, 'payment token')}`, options });
    return normalise(reply);
  }

  /**
   * Every attempt under an order reference (an invoice's reference number or token, an open
   * invoice's reference): `results` lists them all, `data` is the successful one, else the
   * latest. Sends `isOrderReference=1` as a query parameter (Hesabe reads it from the request
   * input, where Laravel merges query and body; a GET cannot carry a body through fetch).
   *
   * @throws NotFoundError when nothing matches.
   * @example
   * const { data, results } = await client.transactions.enquireByReference(invoice.reference_number!);
   */
  async enquireByReference(reference: string, options: RequestOptions = {}): Promise<TransactionEnquiry> {
    const reply = await this.core.gateway({
      path: `/api/transaction/${segment(reference, 'order reference')}`,
      query: { isOrderReference: '1' },
      options,
    });
    return normalise(reply);
  }
}

/** `{status, message, data, results}`, whichever of `data`/`response` carried the transaction. */
function normalise(reply: unknown): TransactionEnquiry {
  if (!isRecord(reply)) throw new FawtaraError({ code: 'invalid_response', message: 'Unexpected transaction enquiry reply', body: reply });
  const single = 'data' in reply ? reply.data : reply.response;
  const data = isRecord(single) ? (single as Transaction) : null;
  const results = Array.isArray(reply.results) ? (reply.results as Transaction[]) : data ? [data] : [];
  return {
    status: reply.status !== false,
    message: typeof reply.message === 'string' ? reply.message : '',
    data,
    results,
  };
}
