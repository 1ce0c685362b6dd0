import type { Database } from '../../db/database.ts';
import { postJson } from '../../lib/outbound-http.ts';
import { createHttpMessageProvider } from './http-message-provider.ts';
import type { MessageChannel, MessageSender } from './message-sender.ts';
import { createOutboxSender } from './outbox-provider.ts';
import { createSmtpSender } from './smtp-sender.ts';
import type { MessagingConfig } from './messaging-config.ts';

/** How long an SMS or WhatsApp provider may take to answer. */
const PROVIDER_TIMEOUT_MS = 10_000;

/**
 * One sender per channel from the configuration: SMTP for e-mail, the generic HTTP provider for
 * SMS and WhatsApp, and the development outbox for whatever is not configured. Provider URLs get
 * the same address guard as webhooks, unless private addresses are allowed (sandbox mode).
 */
export function createSenders(
  config: MessagingConfig,
  deps: { database: Database; allowPrivateAddresses: boolean },
): Record<MessageChannel, MessageSender> & { close(): void } {
  const outbox = createOutboxSender({ database: deps.database });
  const post = async (url: string, body: string, headers: Record<string, string>) => {
    const res = await postJson(url, body, { headers, timeoutMs: PROVIDER_TIMEOUT_MS, allowPrivate: deps.allowPrivateAddresses });
    return { status: res.status, body: res.body };
  };
  const http = (name: 'sms' | 'whatsapp', c: MessagingConfig['sms']) =>
    c
      ? createHttpMessageProvider({
          name,
          url: c.url,
          post,
          ...(c.token ? { token: c.token } : {}),
          ...(c.bodyTemplate ? { bodyTemplate: c.bodyTemplate } : {}),
        })
      : outbox;
  const smtp = config.smtpUrl ? createSmtpSender({ url: config.smtpUrl, from: config.mailFrom }) : undefined;
  return {
    sms: http('sms', config.sms),
    whatsapp: http('whatsapp', config.whatsapp),
    email: smtp ?? outbox,
    close: () => smtp?.close(),
  };
}
