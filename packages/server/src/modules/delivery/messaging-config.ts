/*
 * The messaging settings, apart from the senders that use them: config.ts reads them at start-up
 * and the CLI loads config.ts, so this file imports nothing (no SMTP or HTTP client comes with it).
 */

/** Where customer messages go. Anything unset goes to the development outbox (a table, and /dev/outbox in sandbox mode). */
export interface MessagingConfig {
  smtpUrl: string | undefined;
  mailFrom: string;
  sms: HttpProviderConfig | undefined;
  whatsapp: HttpProviderConfig | undefined;
}

/** Nothing configured: every message goes to the development outbox. */
export const OUTBOX_ONLY: MessagingConfig = { smtpUrl: undefined, mailFrom: 'Fawtara <no-reply@fawtara.local>', sms: undefined, whatsapp: undefined };

export interface HttpProviderConfig {
  url: string;
  token: string | undefined;
  /** JSON body with {{to}}, {{text}}, {{channel}} placeholders. */
  bodyTemplate: string | undefined;
}
