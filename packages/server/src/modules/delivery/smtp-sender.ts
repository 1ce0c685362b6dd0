import { createRequire } from 'node:module';
import { isEmailAddress } from '@fawtara/contract';
import type * as Nodemailer from 'nodemailer';
import type { NodemailerError } from 'nodemailer';
import type { MessageSender, SendResult } from './message-sender.ts';

/**
 * E-mail over SMTP with nodemailer's pooled transport: a few connections kept open and reused.
 *
 * Classification of failures (what a retry could change):
 * - The server answered with an SMTP reply code: 5xx is permanent (550 mailbox unavailable, 553
 *   address not allowed, 554 rejected, 535 wrong credentials), 4xx is transient (421, 450, 451,
 *   452). The one exception is nodemailer's own: 503 "bad sequence of commands" describes the
 *   session, not the message, and nodemailer marks it not permanent (`err.permanent`); we follow it.
 * - An address that is not exactly one plain mailbox is refused before connecting: permanent.
 *   So is a recipient nodemailer itself rejects (EENVELOPE without a reply), wrong or missing
 *   credentials (EAUTH, ENOAUTH) and an invalid configuration (ECONFIG).
 * - Everything else — connection refused, DNS, TLS, a dropped connection, a timeout — is
 *   transient.
 *
 * `providerResponse` is the server's last reply line ("250 OK: queued as …") or, on failure, its
 * error reply or the error message.
 */
export interface SmtpSenderOptions {
  /** `smtp://user:pass@host:587`, `smtps://…:465`, `smtp://127.0.0.1:2525`; query options allowed. */
  url: string;
  /** The From header and envelope sender, e.g. `Fawtara <billing@example.com>`. */
  from: string;
  /** Connection, greeting and idle-socket timeouts, in milliseconds (default 10 s). */
  timeoutMs?: number;
}

const PERMANENT_CODES = new Set(['EENVELOPE', 'EAUTH', 'ENOAUTH', 'ECONFIG']);

/**
 * nodemailer is loaded when an SMTP sender is first created, i.e. only when SMTP_URL is set: a
 * gateway that keeps its messages in the outbox never pays for its modules in memory. It is
 * CommonJS, so a synchronous require keeps createSmtpSender synchronous.
 */
const require = createRequire(import.meta.url);
const nodemailer = (): typeof Nodemailer => require('nodemailer') as typeof Nodemailer;

export function createSmtpSender(opts: SmtpSenderOptions): MessageSender & { close(): void } {
  const timeout = opts.timeoutMs ?? 10_000;
  const transport = nodemailer().createTransport({
    url: opts.url,
    pool: true,
    maxConnections: 3,
    // A pooled connection the server closed while idle is retried once on a new one; further
    // retries are the delivery service's business (with its own backoff).
    maxRequeues: 1,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    dnsTimeout: timeout,
    logger: false,
  });
  // The transport reports failures through sendMail; an 'error' event without a listener would
  // crash the process.
  transport.on('error', () => {});

  return {
    name: 'smtp',
    async send(message): Promise<SendResult> {
      if (message.channel !== 'email') {
        return { ok: false, permanent: true, providerResponse: '', error: `the SMTP sender cannot send ${message.channel} messages` };
      }
      const to = message.to.trim();
      // One mailbox, no display name, no list: nodemailer would otherwise parse those and send.
      if (!isEmailAddress(to)) {
        return { ok: false, permanent: true, providerResponse: '', error: 'invalid e-mail address' };
      }
      try {
        const info = await transport.sendMail({
          from: opts.from,
          to,
          subject: message.subject ?? '',
          text: message.text,
          ...(message.html !== undefined ? { html: message.html } : {}),
          ...(message.lang !== undefined ? { headers: { 'Content-Language': message.lang } } : {}),
        });
        if (info.rejected.length > 0) {
          return { ok: false, permanent: true, providerResponse: info.response, error: `recipient rejected: ${info.rejected.join(', ')}` };
        }
        return { ok: true, providerResponse: info.response };
      } catch (err) {
        return failure(err);
      }
    },
    close() {
      transport.close();
    },
  };
}

function failure(err: unknown): SendResult {
  const e = (err instanceof Error ? err : new Error(String(err))) as NodemailerError;
  // "Greeting never received (ETIMEDOUT)", "connect ECONNREFUSED 127.0.0.1:25 (ESOCKET)"
  const error = typeof e.code === 'string' && !e.message.includes(e.code) ? `${e.message} (${e.code})` : e.message;
  const providerResponse = typeof e.response === 'string' && e.response !== '' ? e.response : error;
  return { ok: false, permanent: isPermanent(e), providerResponse, error };
}

function isPermanent(e: NodemailerError): boolean {
  if (typeof e.responseCode === 'number') {
    if (typeof e.permanent === 'boolean') return e.permanent;
    return e.responseCode >= 500 && e.responseCode < 600;
  }
  return typeof e.code === 'string' && PERMANENT_CODES.has(e.code);
}
