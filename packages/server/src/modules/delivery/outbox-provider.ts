import type { Selectable } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { OutboxMessagesTable } from '../../db/schema.ts';
import type { MessageSender } from './message-sender.ts';

/**
 * The development default when no SMS/WhatsApp provider or SMTP server is configured: instead of
 * leaving the gateway, a message is stored in `outbox_messages` (channel, destination, subject,
 * body = the text) so a developer can read what would have been sent. The HTML part of an e-mail
 * is not kept; the plain-text part says the same.
 */
export type OutboxMessage = Selectable<OutboxMessagesTable>;

export function createOutboxSender(deps: { database: Database }): MessageSender {
  const { db } = deps.database;
  return {
    name: 'outbox',
    async send(message) {
      try {
        const row = await db
          .insertInto('outbox_messages')
          .values({ channel: message.channel, destination: message.to, subject: message.subject ?? null, body: message.text })
          .returning('id')
          .executeTakeFirstOrThrow();
        return { ok: true, providerResponse: `outbox:${row.id}` };
      } catch (err) {
        // A database hiccup is worth another try; the delivery service backs off.
        const error = err instanceof Error ? err.message : String(err);
        return { ok: false, permanent: false, providerResponse: '', error: `outbox: ${error}` };
      }
    },
  };
}

/** The newest `limit` messages (at most 1000), newest first. */
export async function listOutbox(database: Database, limit: number): Promise<OutboxMessage[]> {
  const n = Number.isFinite(limit) ? Math.max(0, Math.min(Math.trunc(limit), 1000)) : 1000;
  return database.db.selectFrom('outbox_messages').selectAll().orderBy('id', 'desc').limit(n).execute();
}
