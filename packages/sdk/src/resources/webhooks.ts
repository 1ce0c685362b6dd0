import type { WebhookVerification } from '@fawtara/wire';
import type { Core, RequestOptions } from '../core.ts';
import { allPages, allRows, pageNumber, toPage, type Page } from '../pagination.ts';
import type { RedeliverResult, WebhookEventRecord, WebhookEventsParams, WebhookSecrets, WebhookSettings, WebhookSettingsParams } from '../types.ts';
import {
  constructWebhookEvent,
  parseWebhookEvent,
  verifyWebhook,
  type HeaderValue,
  type RawBody,
  type WebhookEvent,
  type WebhookVerifyOptions,
} from '../webhook-events.ts';
import { isRecord } from '../is-record.ts';
import { expectObject, listPage, paramsObject, segment } from './shared.ts';

/**
 * Webhooks: checking the ones you receive (offline, no request), and managing them through the
 * API (events with their delivery attempts, redelivery, signing secrets, settings).
 *
 * @example
 * const secrets = await client.webhooks.secrets();          // store these with your endpoint
 * const event = client.webhooks.constructEvent(rawBody, signatureHeader, secrets);
 */
export class Webhooks {
  constructor(private readonly core: Core) {}

  /** The secrets given, else ClientOptions.webhookSecret; none at all is refused by verifyWebhook (TypeError). */
  private secretsOr(secrets: string | readonly string[] | undefined): string | readonly string[] {
    return secrets ?? this.core.webhookSecret ?? [];
  }

  /**
   * Checks the `fawtara-signature` header over the raw body with the secret(s) (default:
   * ClientOptions.webhookSecret) and the timestamp within `toleranceSeconds` (default 300).
   * Returns `{ ok: true, timestamp }` or `{ ok: false, reason }`; never throws for a bad webhook.
   *
   * @example
   * const check = client.webhooks.verify(rawBody, req.headers['fawtara-signature'], secrets, { toleranceSeconds: 120 });
   */
  verify(rawBody: RawBody, signature: HeaderValue, secrets?: string | readonly string[], options: WebhookVerifyOptions = {}): WebhookVerification {
    return verifyWebhook(rawBody, signature, this.secretsOr(secrets), options);
  }

  /**
   * Parses a body into a typed event without verifying it.
   *
   * @example
   * const event = client.webhooks.parse(rawBody); // event.event_type, event.transaction?.status …
   */
  parse(rawBody: RawBody): WebhookEvent {
    return parseWebhookEvent(rawBody);
  }

  /**
   * Verifies, then parses; throws WebhookVerificationError (with `reason`) on a bad webhook.
   *
   * @example
   * const event = client.webhooks.constructEvent(rawBody, req.headers['fawtara-signature']);
   */
  constructEvent(rawBody: RawBody, signature: HeaderValue, secrets?: string | readonly string[], options: WebhookVerifyOptions = {}): WebhookEvent {
    return constructWebhookEvent(rawBody, signature, this.secretsOr(secrets), options);
  }

  /**
   * One page of events, newest first, each with its deliveries and every attempt (GET /api/v1/webhook-events).
   *
   * @example
   * const { data } = await client.webhooks.listEvents({ perPage: 50 });
   * const dead = data.filter((e) => e.deliveries.some((d) => d.status === 'dead'));
   */
  async listEvents(params: WebhookEventsParams = {}, options: RequestOptions = {}): Promise<Page<WebhookEventRecord>> {
    const { result, page, perPage } = await listPage(this.core, '/api/v1/webhook-events', params, 'webhooks.listEvents', options);
    return toPage<WebhookEventRecord>(result, page, perPage);
  }

  /**
   * Every event, across all pages.
   *
   * @example
   * for await (const event of client.webhooks.listAllEvents()) console.log(event.id, event.type);
   */
  listAllEvents(params: WebhookEventsParams = {}, options: RequestOptions = {}): AsyncGenerator<WebhookEventRecord, void, undefined> {
    return allRows(allPages((page) => this.listEvents({ ...params, page }, options), pageNumber(params.page)));
  }

  /**
   * Sends an event again to each of its URLs, same id and body, fresh signature.
   *
   * @throws NotFoundError for an unknown event id.
   * @example
   * await client.webhooks.redeliver('evt_…');
   */
  async redeliver(eventId: string, options: RequestOptions = {}): Promise<RedeliverResult> {
    const result = await this.core.api({ method: 'POST', path: `/api/v1/webhook-events/${segment(eventId, 'event id')}/redeliver`, options });
    return expectObject<RedeliverResult>(result, 'webhooks.redeliver');
  }

  /**
   * The signing secrets in use, newest first (two for 24 hours after a rotation).
   *
   * @example
   * const secrets = await client.webhooks.secrets(); // ['whsec_…']
   */
  async secrets(options: RequestOptions = {}): Promise<string[]> {
    const result = await this.core.api({ method: 'GET', path: '/api/v1/webhook-secret', options });
    return expectObject<WebhookSecrets>(isRecord(result) && Array.isArray(result.secrets) ? result : undefined, 'webhooks.secrets').secrets;
  }

  /**
   * Rotates the signing secret: both are valid for 24 hours (`previous_valid_until`).
   *
   * @example
   * const { secrets } = await client.webhooks.rotateSecret(); // [new, previous]
   */
  async rotateSecret(options: RequestOptions = {}): Promise<WebhookSecrets> {
    const result = await this.core.api({ method: 'POST', path: '/api/v1/webhook-secret/rotate', options });
    return expectObject<WebhookSecrets>(result, 'webhooks.rotateSecret');
  }

  /**
   * Sets the merchant's default webhook URL and reminder days; fields left out are unchanged,
   * `null` (or "") clears one.
   *
   * @example
   * await client.webhooks.updateSettings({ webhookUrl: 'https://shop.example/fawtara', reminderDays: 3 });
   */
  async updateSettings(params: WebhookSettingsParams, options: RequestOptions = {}): Promise<WebhookSettings> {
    const result = await this.core.api({ method: 'PUT', path: '/api/v1/webhook-settings', payload: paramsObject(params, 'webhooks.updateSettings'), options });
    return expectObject<WebhookSettings>(result, 'webhooks.updateSettings');
  }
}
