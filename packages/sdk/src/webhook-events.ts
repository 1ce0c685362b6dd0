import { verifyWebhookSignature, type VerifyOptions, type WebhookVerification } from '@fawtara/wire';
import { WebhookVerificationError } from './errors.ts';
import { isRecord } from './is-record.ts';
import type { Transaction } from './types.ts';

/**
 * The webhooks Fawtara sends (README "Messages and webhooks"): a POST whose body keeps Hesabe's
 * fields and adds Fawtara's, signed with
 * `fawtara-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
 * Hesabe's own webhooks are unsigned: confirm them with a transaction enquiry.
 */

/** The event types Fawtara sends (the contract's). */
export type { WebhookEventType } from '@fawtara/contract';
import type { WebhookEventType } from '@fawtara/contract';

/**
 * A delivered webhook's body. The contract documents the stored payload as opaque, so this
 * shape is written here, with the transaction typed from the contract.
 */
export interface WebhookEvent {
  /** Same on every delivery of one event: process each event id once. */
  event_id: string;
  event_type: WebhookEventType;
  api_version: string;
  /** The payment token (or, without a payment, the invoice's token). */
  token: string | null;
  /** KWD with three decimals. */
  amount: string;
  reference_number: string | null;
  /** SUCCESSFUL, FAILED, EXPIRED or CANCELLED. */
  status: 'SUCCESSFUL' | 'FAILED' | 'EXPIRED' | 'CANCELLED';
  /** KNET, MPGS, …; null without a payment. */
  payment_type: string | null;
  /** "SMS Payment" (invoice) or "Open Invoice". */
  service_type: string;
  /** `YYYY-MM-DD HH:MM:SS`, merchant's time zone. */
  datetime: string;
  invoice_id: number | null;
  open_invoice_id: number | null;
  transaction: Transaction | null;
}

/** `toleranceSeconds` (how far the signed timestamp may be from now, either way; default 300) and `nowSeconds` (tests). */
export type WebhookVerifyOptions = VerifyOptions;

/** A raw body as received: a string, or bytes (Buffer, Uint8Array) decoded as UTF-8. */
export type RawBody = string | Uint8Array;

/** A header value as Node or fetch hand it over. */
export type HeaderValue = string | readonly string[] | null | undefined;

const utf8 = new TextDecoder('utf-8');

function text(raw: RawBody): string {
  if (typeof raw === 'string') return raw;
  if (raw instanceof Uint8Array) return utf8.decode(raw);
  throw new TypeError('The webhook body must be the raw body: a string or bytes, before any JSON parsing');
}

function header(value: HeaderValue): string | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(',');
}

/** The secrets as a list; refuses none at all with a message saying where they come from. */
function secretList(secrets: string | readonly string[] | undefined): string[] {
  const list = secrets === undefined ? [] : typeof secrets === 'string' ? [secrets] : [...secrets];
  if (!list.some((s) => typeof s === 'string' && s !== '')) {
    throw new TypeError('No webhook signing secret: pass it (client.webhooks.secrets() lists them) or set ClientOptions.webhookSecret');
  }
  return list;
}

/**
 * Checks a webhook's `fawtara-signature` over the raw body (not re-serialised JSON) and the
 * signed timestamp against a tolerance window. Never throws for a bad webhook: read `ok` and
 * `reason` (missing_header, malformed_header, stale_timestamp, bad_signature).
 *
 * @example
 * const check = verifyWebhook(rawBody, req.headers['fawtara-signature'], [secret]);
 * if (!check.ok) return res.status(400).end(check.reason);
 */
export function verifyWebhook(
  rawBody: RawBody,
  signature: HeaderValue,
  secrets: string | readonly string[],
  options: WebhookVerifyOptions = {},
): WebhookVerification {
  return verifyWebhookSignature(text(rawBody), header(signature), secretList(secrets), options);
}

/**
 * Parses a webhook body into a typed event. Does NOT verify it: use {@link constructWebhookEvent}
 * for anything you act on.
 *
 * @throws WebhookVerificationError (reason `invalid_body`) when it is not a Fawtara event.
 * @example
 * const event = parseWebhookEvent(rawBody);
 * if (event.event_type === 'invoice.paid') console.log(event.invoice_id, event.amount);
 */
export function parseWebhookEvent(rawBody: RawBody): WebhookEvent {
  let value: unknown;
  try {
    value = JSON.parse(text(rawBody));
  } catch {
    throw new WebhookVerificationError('invalid_body', 'The webhook body is not JSON');
  }
  if (!isRecord(value) || typeof value.event_id !== 'string' || typeof value.event_type !== 'string') {
    throw new WebhookVerificationError('invalid_body', 'The webhook body is not a Fawtara event (no event_id / event_type)');
  }
  return value as unknown as WebhookEvent;
}

/**
 * Verifies, then parses: the one call a webhook endpoint needs.
 *
 * @throws WebhookVerificationError with `reason` when the signature or the body is refused.
 * @example
 * app.post('/fawtara', express.raw({ type: 'application/json' }), (req, res) => {
 *   let event;
 *   try {
 *     event = constructWebhookEvent(req.body, req.get('fawtara-signature'), process.env.FAWTARA_WEBHOOK_SECRET!);
 *   } catch (err) {
 *     return res.status(400).send((err as WebhookVerificationError).reason);
 *   }
 *   if (alreadyProcessed(event.event_id)) return res.sendStatus(200);
 *   // … handle event.event_type …
 *   res.sendStatus(204);
 * });
 */
export function constructWebhookEvent(
  rawBody: RawBody,
  signature: HeaderValue,
  secrets: string | readonly string[],
  options: WebhookVerifyOptions = {},
): WebhookEvent {
  const check = verifyWebhook(rawBody, signature, secrets, options);
  if (!check.ok) throw new WebhookVerificationError(check.reason);
  return parseWebhookEvent(rawBody);
}
