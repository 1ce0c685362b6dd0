import {
  MerchantOnly,
  RedeliverReply,
  WebhookEventList,
  WebhookEventsQuery,
  WebhookSecretReply,
  WebhookSettingsReply,
  WebhookSettingsRequest,
} from '@fawtara/contract';
import { AppError } from '../../lib/app-error.ts';
import { FieldValidator } from '../../lib/field-validator.ts';
import { pageOf, readListQuery } from '../../lib/list-query.ts';
import { formatTimestamp } from '../../lib/merchant-time.ts';
import type { WebhooksService } from '../../modules/webhooks/webhooks.service.ts';
import { encryptedRoute, type EncryptedRoute, type MerchantApi } from '../merchant-api.ts';

/**
 * The merchant's view of its webhooks (Fawtara additions, encrypted like the rest of the
 * merchant API): the events with every delivery attempt, a redelivery, and the signing secret.
 */
export function webhookRoutes(deps: { api: MerchantApi; webhooks: WebhooksService }): EncryptedRoute[] {
  const { webhooks } = deps;
  return [
    encryptedRoute({
      method: 'PUT',
      url: '/api/v1/webhook-settings',
      operationId: 'updateWebhookSettings',
      tags: ['webhooks'],
      summary: "Set the merchant's default webhook URL and reminders",
      description:
        "Every event goes to this URL as well as to an invoice's own `webhook`. Private, loopback and link-local addresses are refused outside sandbox mode (names are also checked when delivering). Fields left out are unchanged.",
      request: WebhookSettingsRequest,
      response: WebhookSettingsReply,
      successMessage: 'Webhook settings updated',
      handle: async (call) => {
        const settings = await webhooks.updateSettings(call.merchant, call.payload);
        // This process's cached copy of the merchant must not keep the old URL for 5 s.
        deps.api.forgetCachedMerchants();
        return settings;
      },
    }),
    encryptedRoute({
      method: 'GET',
      url: '/api/v1/webhook-events',
      operationId: 'listWebhookEvents',
      tags: ['webhooks'],
      summary: 'List webhook events with their deliveries and attempts',
      description:
        'Newest first, 20 a page. Each delivery shows its state (pending, delivered, dead), every attempt with its status code and latency, and when the next attempt is due.',
      request: WebhookEventsQuery,
      response: WebhookEventList,
      successMessage: 'Webhook events',
      handle: async (call) => {
        const v = new FieldValidator();
        const q = readListQuery(v, { ...call.query, ...call.payload });
        v.throwIfInvalid();
        const { total, data } = await webhooks.listEvents(call.merchant.id, q.page, q.perPage, call.merchant.time_zone);
        return pageOf(q, data, total);
      },
    }),
    encryptedRoute({
      method: 'POST',
      url: '/api/v1/webhook-events/:id/redeliver',
      operationId: 'redeliverWebhookEvent',
      tags: ['webhooks'],
      summary: 'Send a webhook event again',
      description:
        'Every URL of the event gets it again, with the same event id and body (a fresh signature), whatever its state; retries restart their 24-hour window.',
      request: MerchantOnly,
      response: RedeliverReply,
      successMessage: 'Webhook redelivery queued',
      handle: async (call) => {
        const id = call.params.id!;
        if (!/^evt_[A-Za-z0-9_-]{20,64}$/.test(id)) throw new AppError('NOT_FOUND');
        const deliveries = await webhooks.redeliver(call.merchant.id, id);
        return { event_id: id, deliveries };
      },
    }),
    encryptedRoute({
      method: 'GET',
      url: '/api/v1/webhook-secret',
      operationId: 'getWebhookSecrets',
      tags: ['webhooks'],
      summary: 'The webhook signing secrets',
      description:
        'Verify `fawtara-signature: t=<unix seconds>,v1=<hex>` as HMAC-SHA256 over `<t>.<raw body>` with any of these secrets, and refuse timestamps older than 5 minutes.',
      request: MerchantOnly,
      response: WebhookSecretReply,
      successMessage: 'Webhook secret',
      handle: async (call) => ({ secrets: await webhooks.secrets(call.merchant.id) }),
    }),
    encryptedRoute({
      method: 'POST',
      url: '/api/v1/webhook-secret/rotate',
      operationId: 'rotateWebhookSecret',
      tags: ['webhooks'],
      summary: 'Rotate the webhook signing secret',
      description: 'Signatures carry both secrets for 24 hours (two v1 values), so receivers can switch without missing an event.',
      request: MerchantOnly,
      response: WebhookSecretReply,
      successMessage: 'Webhook secret rotated',
      handle: async (call) => {
        const { previousValidUntil } = await webhooks.rotateSecret(call.merchant.id);
        return { secrets: await webhooks.secrets(call.merchant.id), previous_valid_until: formatTimestamp(previousValidUntil, call.merchant.time_zone) };
      },
    }),
  ];
}
