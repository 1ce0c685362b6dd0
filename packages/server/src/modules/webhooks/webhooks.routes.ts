import type { FastifyInstance } from 'fastify';
import type { ApiDocs } from '../../api/api-docs.ts';
import type { MerchantApi } from '../../api/merchant-api.ts';
import { MerchantOnly, RedeliverReply, WebhookEventList, WebhookEventsQuery, WebhookSecretReply, WebhookSettingsReply, WebhookSettingsRequest } from '@fawtara/contract';
import { AppError } from '../../lib/app-error.ts';
import { FieldValidator } from '../../lib/field-validator.ts';
import { pageOf, readListQuery } from '../../lib/list-query.ts';
import { formatTimestamp } from '../../lib/merchant-time.ts';
import type { WebhooksService } from './webhooks.service.ts';

/**
 * The merchant's view of its webhooks (Fawtara additions, encrypted like the rest of the
 * merchant API): the events with every delivery attempt, a redelivery, and the signing secret.
 */
export interface WebhookRoutesDeps {
  api: MerchantApi;
  webhooks: WebhooksService;
  docs: ApiDocs;
}

export function registerWebhookRoutes(app: FastifyInstance, deps: WebhookRoutesDeps): void {
  const settings = deps.docs.encrypted({
    method: 'PUT',
    url: '/api/v1/webhook-settings',
    tags: ['webhooks'],
    summary: "Set the merchant's default webhook URL and reminders",
    description:
      "Every event goes to this URL as well as to an invoice's own `webhook`. Private, loopback and link-local addresses are refused outside sandbox mode (names are also checked when delivering). Fields left out are unchanged.",
    request: WebhookSettingsRequest,
    response: WebhookSettingsReply,
    successMessage: 'Webhook settings updated',
  });
  app.put(
    '/api/v1/webhook-settings',
    { schema: settings },
    deps.api.handler(async (ctx) => {
      const settings = await deps.webhooks.updateSettings(ctx.merchant, ctx.payload);
      // This process's cached copy of the merchant must not keep the old URL for 5 s.
      deps.api.forgetCachedMerchants();
      return { message: 'Webhook settings updated', response: settings };
    }),
  );

  const list = deps.docs.encrypted({
    method: 'GET',
    url: '/api/v1/webhook-events',
    tags: ['webhooks'],
    summary: 'List webhook events with their deliveries and attempts',
    description: 'Newest first, 20 a page. Each delivery shows its state (pending, delivered, dead), every attempt with its status code and latency, and when the next attempt is due.',
    request: WebhookEventsQuery,
    response: WebhookEventList,
    successMessage: 'Webhook events',
  });
  app.get(
    '/api/v1/webhook-events',
    { schema: list },
    deps.api.handler(async (ctx) => {
      const v = new FieldValidator();
      const q = readListQuery(v, { ...(ctx.request.query as Record<string, unknown>), ...ctx.payload });
      v.throwIfInvalid();
      const { total, data } = await deps.webhooks.listEvents(ctx.merchant.id, q.page, q.perPage, ctx.merchant.time_zone);
      return { message: 'Webhook events', response: pageOf(q, data, total) };
    }),
  );

  const redeliver = deps.docs.encrypted({
    method: 'POST',
    url: '/api/v1/webhook-events/:id/redeliver',
    tags: ['webhooks'],
    summary: 'Send a webhook event again',
    description: 'Every URL of the event gets it again, with the same event id and body (a fresh signature), whatever its state; retries restart their 24-hour window.',
    request: MerchantOnly,
    response: RedeliverReply,
    successMessage: 'Webhook redelivery queued',
  });
  app.post(
    '/api/v1/webhook-events/:id/redeliver',
    { schema: redeliver },
    deps.api.handler(async (ctx) => {
      const id = (ctx.request.params as { id: string }).id;
      if (!/^evt_[A-Za-z0-9_-]{20,64}$/.test(id)) throw new AppError('NOT_FOUND');
      const deliveries = await deps.webhooks.redeliver(ctx.merchant.id, id);
      return { message: 'Webhook redelivery queued', response: { event_id: id, deliveries } };
    }),
  );

  const secret = deps.docs.encrypted({
    method: 'GET',
    url: '/api/v1/webhook-secret',
    tags: ['webhooks'],
    summary: 'The webhook signing secrets',
    description: 'Verify `fawtara-signature: t=<unix seconds>,v1=<hex>` as HMAC-SHA256 over `<t>.<raw body>` with any of these secrets, and refuse timestamps older than 5 minutes.',
    request: MerchantOnly,
    response: WebhookSecretReply,
    successMessage: 'Webhook secret',
  });
  app.get(
    '/api/v1/webhook-secret',
    { schema: secret },
    deps.api.handler(async (ctx) => ({ message: 'Webhook secret', response: { secrets: await deps.webhooks.secrets(ctx.merchant.id) } })),
  );

  const rotate = deps.docs.encrypted({
    method: 'POST',
    url: '/api/v1/webhook-secret/rotate',
    tags: ['webhooks'],
    summary: 'Rotate the webhook signing secret',
    description: 'Signatures carry both secrets for 24 hours (two v1 values), so receivers can switch without missing an event.',
    request: MerchantOnly,
    response: WebhookSecretReply,
    successMessage: 'Webhook secret rotated',
  });
  app.post(
    '/api/v1/webhook-secret/rotate',
    { schema: rotate },
    deps.api.handler(async (ctx) => {
      const { previousValidUntil } = await deps.webhooks.rotateSecret(ctx.merchant.id);
      return {
        message: 'Webhook secret rotated',
        response: { secrets: await deps.webhooks.secrets(ctx.merchant.id), previous_valid_until: formatTimestamp(previousValidUntil, ctx.merchant.time_zone) },
      };
    }),
  );
}
