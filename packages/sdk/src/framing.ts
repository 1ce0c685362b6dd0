import { createCodec, EnvelopeError, type Codec, type EnvelopeKeys } from '@fawtara/wire';
import { isRecord } from './is-record.ts';

/**
 * How replies are framed on the wire, and how the SDK reads every framing it may meet:
 *
 * - `{"response":"<hex>"}` — the documented framing; Fawtara's (a lone `data` key is read the same way);
 * - a raw hex body — what Hesabe's own app and every gateway kit decrypt;
 * - plain JSON — login, token refresh, transaction enquiry, and every error raised before the
 *   envelope was opened.
 *
 * Decrypted (or plain) payloads carry their result under `response` or, in some Hesabe replies,
 * under `data`; {@link resultOf} takes whichever is there.
 */
export type DecodedReply = { ok: true; value: unknown; encrypted: boolean } | { ok: false; reason: 'empty' | 'undecryptable' | 'not_json' };

const HEX = /^[0-9a-fA-F]+$/;

/** The request side and the reply side of the envelope, bound to one merchant's keys. */
export interface Envelope {
  /** Encrypts a JSON text as the client sends it (`{"data": <this>}` or `?data=<this>`). */
  seal(plaintext: string): string;
  /** `seal(JSON.stringify(payload))`: what the client does with every request payload. */
  sealPayload(payload: Record<string, unknown>): string;
  /** Decodes a reply body in any framing. Never throws. */
  open(text: string): DecodedReply;
}

/**
 * Builds the envelope the client uses. Exposed for tests and for tools that speak the wire
 * directly (decrypting a logged body, for instance).
 *
 * @example
 * const envelope = createEnvelope({ secretKey, iv });
 * const hex = envelope.sealPayload({ merchantCode: '842217' });
 * envelope.open(`{"response":"${hex}"}`); // { ok: true, value: { merchantCode: '842217' }, encrypted: true }
 */
export function createEnvelope(keys: EnvelopeKeys | Codec): Envelope {
  const codec = 'encrypt' in keys ? keys : createCodec(keys);

  function decrypt(hex: string): DecodedReply {
    try {
      return { ok: true, value: codec.decryptJson(hex.trim()), encrypted: true };
    } catch (err) {
      if (err instanceof EnvelopeError) return { ok: false, reason: 'undecryptable' };
      throw err;
    }
  }

  function open(text: string): DecodedReply {
    const trimmed = text.trim();
    if (trimmed === '') return { ok: false, reason: 'empty' };
    // Raw hex first: an all-digit hex body would otherwise parse as a JSON number.
    if (HEX.test(trimmed)) return decrypt(trimmed);
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return { ok: false, reason: 'not_json' };
    }
    // {"response":"<hex>"} (or {"data":"<hex>"}): a lone string under one of those keys is an
    // envelope. Plain replies always carry `status` beside their `response`/`data`.
    if (isRecord(parsed)) {
      const keys = Object.keys(parsed);
      if (keys.length === 1 && (keys[0] === 'response' || keys[0] === 'data') && typeof parsed[keys[0]] === 'string') {
        return decrypt(parsed[keys[0]] as string);
      }
    }
    if (typeof parsed === 'string' && HEX.test(parsed.trim())) return decrypt(parsed);
    return { ok: true, value: parsed, encrypted: false };
  }

  return {
    seal: (plaintext) => codec.encrypt(plaintext),
    sealPayload: (payload) => codec.encrypt(JSON.stringify(payload)),
    open,
  };
}

/**
 * The result inside a decoded `{"status":…,"message":…,"response"|"data":…}` reply; a reply
 * without either key is its own result.
 *
 * @example
 * resultOf({ status: true, message: 'ok', response: { id: 1 } }); // { id: 1 }
 * resultOf({ status: true, message: 'ok', data: { id: 1 } });     // { id: 1 }
 */
export function resultOf(decoded: unknown): unknown {
  if (!isRecord(decoded)) return decoded;
  if ('response' in decoded) return decoded.response;
  if ('data' in decoded) return decoded.data;
  return decoded;
}

/**
 * One object, nested or flat: some Hesabe replies put the object under
 * `response.data`, others directly under `response`. A lone `data` object is unwrapped.
 *
 * @example
 * singleObject({ data: { id: 1 } }); // { id: 1 }
 * singleObject({ id: 1 });           // { id: 1 }
 */
export function singleObject(result: unknown): unknown {
  if (isRecord(result)) {
    const keys = Object.keys(result);
    if (keys.length === 1 && keys[0] === 'data' && isRecord(result.data)) return result.data;
  }
  return result;
}
