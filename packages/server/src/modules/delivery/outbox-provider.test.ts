import { expect, it } from 'vitest';
import { describeEngines } from '../../test-support/engines.ts';
import { createOutboxSender, listOutbox } from './outbox-provider.ts';

describeEngines('outbox sender', (ctx) => {
  it('stores SMS, WhatsApp and e-mail messages and lists them newest first', async () => {
    const outbox = createOutboxSender({ database: ctx.db });
    expect(outbox.name).toBe('outbox');

    const sms = await outbox.send({ channel: 'sms', to: '96566666666', text: 'Hi Sara , pay at https://pay.example.com/s/a' });
    const wa = await outbox.send({ channel: 'whatsapp', to: '96555555555', text: 'مرحباً "سارة"\r\nادفع' });
    const mail = await outbox.send({
      channel: 'email',
      to: 'sara@example.com',
      subject: 'Invoice INV-1 from Acme: 12.500 KWD',
      text: 'Hello Sara,\n\nhttps://pay.example.com/s/a\n',
      html: '<!doctype html><html></html>',
      lang: 'en',
    });
    for (const r of [sms, wa, mail]) {
      expect(r.ok).toBe(true);
      expect(r.providerResponse).toMatch(/^outbox:\d+$/);
    }

    const listed = await listOutbox(ctx.db, 10);
    expect(listed.slice(0, 3).map((m) => `outbox:${m.id}`)).toEqual([mail, wa, sms].map((r) => r.providerResponse));
    const [m, w, s] = listed;
    expect(m).toMatchObject({
      channel: 'email',
      destination: 'sara@example.com',
      subject: 'Invoice INV-1 from Acme: 12.500 KWD',
      body: 'Hello Sara,\n\nhttps://pay.example.com/s/a\n',
    });
    expect(m?.created_at).toBeInstanceOf(Date);
    expect(typeof m?.id).toBe('bigint');
    expect(w).toMatchObject({ channel: 'whatsapp', destination: '96555555555', subject: null, body: 'مرحباً "سارة"\r\nادفع' });
    expect(s).toMatchObject({ channel: 'sms', destination: '96566666666', subject: null });

    expect(await listOutbox(ctx.db, 2)).toHaveLength(2);
    expect((await listOutbox(ctx.db, 2))[0]?.id).toBe(m?.id);
    expect(await listOutbox(ctx.db, 0)).toEqual([]);
  });
});
