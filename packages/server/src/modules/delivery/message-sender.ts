/**
 * One interface for every way a message leaves the gateway: e-mail over SMTP, SMS and WhatsApp
 * through an HTTP provider, or the development outbox. The delivery service decides what to
 * send and records the result; a sender only sends.
 */
export type MessageChannel = 'sms' | 'whatsapp' | 'email';

export interface OutgoingMessage {
  channel: MessageChannel;
  /** SMS/WhatsApp: international digits without '+' (e.g. `96566666666`); e-mail: an address. */
  to: string;
  /** The whole text of an SMS or WhatsApp message; the plain-text part of an e-mail. */
  text: string;
  /** E-mail only. */
  subject?: string;
  /** E-mail only: the HTML part. */
  html?: string;
  /** E-mail only: `ltr` or `rtl`, and the language, for the HTML part. */
  lang?: 'en' | 'ar';
}

export type SendResult =
  | { ok: true; providerResponse: string }
  /**
   * `permanent`: retrying cannot help (the provider refused the number, the address is invalid,
   * the credentials are wrong); otherwise the delivery is retried with backoff.
   */
  | { ok: false; permanent: boolean; providerResponse: string; error: string };

export interface MessageSender {
  readonly name: string;
  /** Never throws for a provider's refusal or a network failure: it returns `ok: false`. */
  send(message: OutgoingMessage): Promise<SendResult>;
}

/** How the HTTP provider reaches the network (lib/outbound-http.ts in the app; anything in tests). */
export type HttpPost = (url: string, body: string, headers: Record<string, string>) => Promise<{ status: number; body: string }>;
