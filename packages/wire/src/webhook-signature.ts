import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signatures on the webhooks Fawtara sends, in the Stripe style:
 *
 *     fawtara-signature: t=1795251600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
 *
 * `v1` is the lowercase hex HMAC-SHA256, keyed with the whole secret string (`whsec_…`, UTF-8),
 * of `${t}.${rawBody}` where rawBody is the request body exactly as sent. While a merchant
 * rotates their secret the header carries one `v1` per active secret, so an endpoint that knows
 * either the old or the new secret accepts it. Unknown schemes (`v0=…`) are ignored, so new
 * ones can be added without breaking receivers.
 *
 * The timestamp is signed too, and receivers refuse it outside a tolerance window: a captured
 * request cannot be replayed later. Receivers should still deduplicate on `fawtara-event-id`.
 */

export const SIGNATURE_HEADER = 'fawtara-signature';
export const EVENT_ID_HEADER = 'fawtara-event-id';
export const EVENT_TYPE_HEADER = 'fawtara-event-type';

export const DEFAULT_TOLERANCE_SECONDS = 300;

const SECRET_PREFIX = 'whsec_';

/** A new endpoint secret: `whsec_` then 32 random bytes in base64url (43 characters). */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

function hmac(secret: string, timestamp: number, rawBody: string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest();
}

function usableSecrets(secrets: string | readonly string[]): string[] {
  const list = (typeof secrets === 'string' ? [secrets] : [...secrets]).filter((s) => s.length > 0);
  // An empty key would let anyone compute the signature: refuse loudly rather than sign or verify with it.
  if (list.length === 0) throw new TypeError('no webhook signing secret given');
  return list;
}

/**
 * The `fawtara-signature` header value for `rawBody`: `t=<ts>,v1=<hmac with secrets[0]>,v1=<…>`.
 * Put the newest secret first; during a rotation pass both.
 */
export function signatureHeader(rawBody: string, secrets: string[], timestampSeconds: number): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError(`timestamp must be a non-negative integer number of seconds, got ${timestampSeconds}`);
  }
  const parts = [`t=${timestampSeconds}`];
  for (const secret of usableSecrets(secrets)) parts.push(`v1=${hmac(secret, timestampSeconds, rawBody).toString('hex')}`);
  return parts.join(',');
}

export type WebhookVerification =
  { ok: true; timestamp: number } | { ok: false; reason: 'missing_header' | 'malformed_header' | 'stale_timestamp' | 'bad_signature' };

export interface VerifyOptions {
  /** How far the timestamp may be from now, in either direction. 300 s by default. */
  toleranceSeconds?: number;
  /** The current time in unix seconds (tests); the system clock by default. */
  nowSeconds?: number;
}

interface ParsedHeader {
  timestamp: number;
  signatures: string[];
}

const ITEM = /^([A-Za-z0-9_-]+)=([^,]*)$/;

function parseHeader(header: string): ParsedHeader | null {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const rawItem of header.split(',')) {
    const match = ITEM.exec(rawItem.trim());
    if (!match) return null;
    const key = match[1]!;
    const value = match[2]!.trim();
    if (key === 't') {
      if (timestamp !== null || !/^\d{1,15}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (key === 'v1') {
      signatures.push(value);
    }
    // Other schemes (v0, future ones) are ignored.
  }
  if (timestamp === null || signatures.length === 0) return null;
  return { timestamp, signatures };
}

/**
 * Checks a `fawtara-signature` header against the raw request body and the endpoint's secret(s).
 * Accepts when any `v1` in the header matches any of the secrets (constant-time comparison) and
 * the signed timestamp is within `toleranceSeconds` of now. The signature is checked before the
 * timestamp, so `stale_timestamp` means an authentic but old (or future-dated) delivery.
 *
 * Verify the body bytes exactly as received, before any JSON parsing: re-serialised JSON does not
 * match.
 *
 * @example
 * ```ts
 * // A merchant's endpoint (Express). `@fawtara/sdk` re-exports this function.
 * import express from 'express';
 * import { verifyWebhookSignature, SIGNATURE_HEADER, EVENT_ID_HEADER } from '@fawtara/sdk';
 *
 * app.post('/fawtara/webhook', express.raw({ type: 'application/json' }), (req, res) => {
 *   const rawBody = req.body.toString('utf8');
 *   // During a secret rotation, pass both the new and the old secret.
 *   const check = verifyWebhookSignature(rawBody, req.get(SIGNATURE_HEADER), [process.env.FAWTARA_WEBHOOK_SECRET!]);
 *   if (!check.ok) return res.status(400).send(check.reason);
 *   const eventId = req.get(EVENT_ID_HEADER); // deliveries may repeat: process each event id once
 *   const event = JSON.parse(rawBody);
 *   // … handle event …
 *   res.sendStatus(204);
 * });
 * ```
 */
export function verifyWebhookSignature(rawBody: string, header: string | undefined, secrets: string | string[], opts: VerifyOptions = {}): WebhookVerification {
  const keys = usableSecrets(secrets);
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing_header' };
  const parsed = parseHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed_header' };

  // Only well-formed candidates take part; each is compared in constant time with every expected
  // digest (equal-length buffers, as timingSafeEqual requires).
  const candidates = parsed.signatures.filter((s) => /^[0-9a-fA-F]{64}$/.test(s)).map((s) => Buffer.from(s, 'hex'));
  let matched = false;
  for (const key of keys) {
    const expected = hmac(key, parsed.timestamp, rawBody);
    for (const candidate of candidates) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  if (!matched) return { ok: false, reason: 'bad_signature' };

  const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - parsed.timestamp) > tolerance) return { ok: false, reason: 'stale_timestamp' };
  return { ok: true, timestamp: parsed.timestamp };
}
