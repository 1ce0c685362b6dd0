/**
 * @fawtara/wire — what travels on the Hesabe merchant wire: the encrypted envelope, PHP-style
 * JSON, KWD money, and the signatures of Fawtara's webhooks. No runtime dependencies beyond
 * node:crypto.
 *
 * @example
 * import { createCodec, phpJsonEncode, parseMoney, formatMoney } from '@fawtara/wire';
 * const codec = createCodec({ secretKey, iv });
 * const request = codec.decryptJson(body.data);          // throws EnvelopeError
 * const fils = parseMoney(request.amount);               // throws MoneyError
 * const reply = codec.encrypt(phpJsonEncode({ status: true, amount: formatMoney(fils) }));
 */
export { createCodec, decrypt, decryptJson, encrypt, EnvelopeError } from './envelope.ts';
export type { Codec, EnvelopeKeys } from './envelope.ts';
export { phpJsonEncode } from './php-json.ts';
export { FILS_PER_KWD, formatMoney, MAX_MONEY_FILS, MoneyError, parseMoney, parseMoneyOrNull } from './money.ts';
export type { MoneyErrorReason } from './money.ts';
export {
  DEFAULT_TOLERANCE_SECONDS,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  newWebhookSecret,
  SIGNATURE_HEADER,
  signatureHeader,
  verifyWebhookSignature,
} from './webhook-signature.ts';
export type { VerifyOptions, WebhookVerification } from './webhook-signature.ts';
export { SANDBOX_CREDENTIALS } from './sandbox.ts';
export type { MerchantCredentials } from './sandbox.ts';
