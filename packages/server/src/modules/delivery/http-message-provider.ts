import type { HttpPost, MessageSender, SendResult } from './message-sender.ts';

/**
 * The one configurable HTTP provider for SMS and WhatsApp. Every gateway of that kind takes a
 * POST with a JSON body naming a destination and a text; only the field names differ. So the body
 * is a template in which `{{to}}`, `{{text}}` and `{{channel}}` stand for complete JSON strings,
 * quotes included:
 *
 *   {"to":{{to}},"text":{{text}},"channel":{{channel}}}          (the default)
 *   {"msisdn":{{to}},"message":{{text}},"sender":"Fawtara"}
 *
 * Values are inserted JSON-escaped, in one pass (a text that itself contains "{{to}}" stays
 * text), so any message — Arabic, quotes, line breaks — yields valid JSON.
 *
 * Classification of the answer:
 * - 2xx: sent; `providerResponse` is the response body (at most 500 characters). Any other
 *   status: `providerResponse` is `HTTP <status>: <body>` (at most 500 characters); no answer at
 *   all: `providerResponse` is empty and `error` says why.
 * - 408, 425, 429 and 5xx, any other non-4xx status, and a failed request (network error,
 *   timeout): transient, the delivery is retried with backoff.
 * - any other 4xx (400 bad number, 401/403 wrong credentials, 404 wrong URL): permanent.
 *
 * The token is sent only in the `authorization` header; it is removed from anything this sender
 * returns (a provider echoing it back, an error message quoting it).
 */
export const DEFAULT_BODY_TEMPLATE = '{"to":{{to}},"text":{{text}},"channel":{{channel}}}';

export interface HttpMessageProviderOptions {
  /** Shown in logs and results, e.g. `sms` or `whatsapp`. */
  name: string;
  url: string;
  post: HttpPost;
  /** Sent as `authorization: Bearer <token>`. */
  token?: string;
  bodyTemplate?: string;
  /** Extra headers (an API key header, a sender id). They cannot replace content-type. */
  headers?: Record<string, string>;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const KNOWN = new Set(['to', 'text', 'channel']);
const MAX_RESPONSE = 500;
const TRANSIENT_4XX = new Set([408, 425, 429]);

export function createHttpMessageProvider(opts: HttpMessageProviderOptions): MessageSender {
  const { name, post } = opts;
  const template = opts.bodyTemplate ?? DEFAULT_BODY_TEMPLATE;
  validateUrl(name, opts.url);
  validateTemplate(name, template);

  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(opts.headers ?? {})) headers[key.toLowerCase()] = value;
  headers['content-type'] = 'application/json';
  if (opts.token !== undefined && opts.token !== '') headers.authorization = `Bearer ${opts.token}`;

  const redact = (text: string): string => (opts.token !== undefined && opts.token !== '' ? text.split(opts.token).join('[redacted]') : text);

  return {
    name,
    async send(message): Promise<SendResult> {
      const body = fillTemplate(template, { to: message.to, text: message.text, channel: message.channel });
      let answer: { status: number; body: string };
      try {
        answer = await post(opts.url, body, { ...headers });
      } catch (err) {
        // No answer from the provider: nothing to report as its response; the error says why.
        return { ok: false, permanent: false, providerResponse: '', error: truncate(redact(`${name}: ${describeError(err)}`)) };
      }
      const { status } = answer;
      const responseBody = redact(answer.body);
      if (status >= 200 && status < 300) return { ok: true, providerResponse: truncate(responseBody) };
      const permanent = status >= 400 && status < 500 && !TRANSIENT_4XX.has(status);
      return {
        ok: false,
        permanent,
        providerResponse: truncate(`HTTP ${status}: ${responseBody}`),
        error: `${name} answered HTTP ${status}`,
      };
    },
  };
}

function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (whole, key: string) => (KNOWN.has(key) ? JSON.stringify(values[key] ?? '') : whole));
}

function validateUrl(name: string, url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`message provider "${name}": url is not a valid URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`message provider "${name}": url must be http or https, not ${parsed.protocol}`);
  }
}

function validateTemplate(name: string, template: string): void {
  const used = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER)) {
    const key = match[1] ?? '';
    if (!KNOWN.has(key)) {
      throw new Error(`message provider "${name}": bodyTemplate has an unknown placeholder {{${key}}}; the placeholders are {{to}}, {{text}} and {{channel}}`);
    }
    used.add(key);
  }
  for (const required of ['to', 'text']) {
    if (!used.has(required)) throw new Error(`message provider "${name}": bodyTemplate must contain {{${required}}}`);
  }
  // Sample values with every character JSON must escape, so a placeholder put inside quotes fails here.
  const sample = fillTemplate(template, { to: '96566666666', text: 'Line "one"\nسطر \\ two', channel: 'sms' });
  try {
    JSON.parse(sample);
  } catch (err) {
    throw new Error(
      `message provider "${name}": bodyTemplate is not valid JSON once its placeholders are filled in (${describeError(err)}); ` +
        'each placeholder stands for a complete JSON string, quotes included: write {"to":{{to}}}, not {"to":"{{to}}"}',
      { cause: err },
    );
  }
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // fetch reports "fetch failed" and keeps the reason (ECONNREFUSED, a timeout) in `cause`.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

function truncate(text: string): string {
  if (text.length <= MAX_RESPONSE) return text;
  let cut = text.slice(0, MAX_RESPONSE - 1);
  // Do not split a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}
