import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/database.ts';
import { listOutbox } from '../../modules/delivery/outbox-provider.ts';

/**
 * `GET /dev/outbox` in sandbox mode only: the messages the development outbox provider "sent"
 * (newest first, JSON), so a developer sees what customers would receive without an SMS
 * account or a mail server.
 */
export function registerOutboxRoutes(app: FastifyInstance, deps: { database: Database }): void {
  app.get('/dev/outbox', { schema: { hide: true } }, async (request) => {
    const limit = Math.min(Number((request.query as { limit?: string }).limit ?? 50) || 50, 500);
    const rows = await listOutbox(deps.database, limit);
    return {
      messages: rows.map((r) => ({
        id: Number(r.id),
        channel: r.channel,
        to: r.destination,
        subject: r.subject,
        text: r.body,
        at: r.created_at.toISOString(),
      })),
    };
  });
}
