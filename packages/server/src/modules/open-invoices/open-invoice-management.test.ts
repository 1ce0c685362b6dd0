import { afterAll, beforeAll, expect, it } from 'vitest';
import { SANDBOX } from '../merchants/sandbox-credentials.ts';
import { describeEngines } from '../../test-support/engines.ts';
import { countRows, startGateway, type TestGateway } from '../../test-support/gateway.ts';

type Merchant = Awaited<ReturnType<TestGateway['newMerchant']>>;

describeEngines('open-invoice management and profile', (ctx) => {
  let gw: TestGateway;
  let m: Merchant;
  let other: Merchant;
  const made: any[] = [];

  const call = (method: 'GET' | 'PUT' | 'DELETE', url: string, payload: Record<string, unknown> = {}, who: Merchant = m) =>
    gw.call({ method, url, as: who, payload: { merchantCode: who.merchantCode, ...payload }, ...(method === 'GET' ? { via: 'query' as const } : {}) });

  beforeAll(async () => {
    gw = await startGateway(ctx.db, { now: '2026-11-01T09:00:00Z' });
    m = await gw.newMerchant({ name: 'Dar Al Kitab', email: 'hello@dar.kw', paymentMethods: [1, 2, 9] });
    other = await gw.newMerchant();
    for (const [i, title] of ['Donation box', 'Course fee', 'Gift card', 'Book club'].entries()) {
      if (i === 2) {
        gw.clock.set('2026-11-05T09:00:00Z');
        m.token = await gw.login(m.issued.username, m.issued.password);
        other.token = await gw.login(other.issued.username, other.issued.password);
      }
      const res = await gw.call({
        url: '/api/v1/open-invoice',
        as: m,
        payload: { merchantCode: m.merchantCode, title, amountType: '0', fixAmount: '5', description: `about ${title}` },
      });
      made.push(res.body.response);
    }
  });
  afterAll(async () => gw.close());

  const titles = (res: any) => res.body.response.data.map((o: any) => o.title);

  it('lists newest first with pagination, dates and search', async () => {
    const all = await call('GET', '/api/v1/open-invoice/');
    expect(all.status).toBe(200);
    expect(all.body.message).toBe('Open Invoice List');
    expect(titles(all)).toEqual(['Book club', 'Gift card', 'Course fee', 'Donation box']);
    expect(all.body.response).toMatchObject({ current_page: 1, last_page: 1, per_page: 20, total: 4 });
    expect(titles(await call('GET', '/api/v1/open-invoice', { toDate: '2026-11-01' }))).toEqual(['Course fee', 'Donation box']);
    expect(titles(await call('GET', '/api/v1/open-invoice?fromDate=2026-11-05'))).toEqual(['Book club', 'Gift card']);
    expect(titles(await call('GET', '/api/v1/open-invoice', { search: 'BOOK' }))).toEqual(['Book club']);
    expect(titles(await call('GET', '/api/v1/open-invoice', { search: made[0].reference_number }))).toEqual(['Donation box']);
    const page2 = await call('GET', '/api/v1/open-invoice', { perPage: 3, page: 2 });
    expect(titles(page2)).toEqual(['Donation box']);
    expect(page2.body.response).toMatchObject({ current_page: 2, last_page: 2, total: 4, from: 4, to: 4 });
    expect((await call('GET', '/api/v1/open-invoice', { page: 5 })).body.response.data).toEqual([]);
    expect(titles(await call('GET', '/api/v1/open-invoice', {}, other))).toEqual([]);
  });

  it('changes only the expiry date', async () => {
    const res = await call('PUT', `/api/v1/open-invoice/${made[0].id}`, { expiryDate: '2027-01-31' });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Open invoice updated successfully');
    expect(res.body.response).toMatchObject({ id: made[0].id, expiry_date: '2027-01-31', title: 'Donation box', fixed_amount: '5.000' });

    const before = await countRows(ctx.db);
    const extra = await call('PUT', `/api/v1/open-invoice/${made[0].id}`, { expiryDate: '2027-02-01', title: 'Renamed' });
    expect(extra.status).toBe(422);
    expect(Object.keys(extra.body.response)).toEqual(['title']);
    // Found by the property test: a field named like an Object.prototype member.
    const proto = await gw.call({
      method: 'PUT',
      url: `/api/v1/open-invoice/${made[0].id}`,
      as: m,
      data: m.codec.encrypt(`{"merchantCode":"${m.merchantCode}","expiryDate":"2027-02-01","constructor":0,"__proto__":1}`),
    });
    expect(proto.status).toBe(422);
    expect(Object.keys(proto.body.response).sort()).toEqual(['__proto__', 'constructor']);
    const past = await call('PUT', `/api/v1/open-invoice/${made[0].id}`, { expiryDate: '2026-11-04' });
    expect(Object.keys(past.body.response)).toEqual(['expiryDate']);
    const missing = await call('PUT', `/api/v1/open-invoice/${made[0].id}`, {});
    expect(Object.keys(missing.body.response)).toEqual(['expiryDate']);
    const { rows } = await ctx.db.executeSql('SELECT title, expiry_date FROM open_invoices WHERE id = $1', [made[0].id]);
    expect(rows[0]).toEqual({ title: 'Donation box', expiry_date: '2027-01-31' });
    expect(await countRows(ctx.db)).toEqual(before);
  });

  it('cancels once; a cancelled open invoice cannot be updated or cancelled again', async () => {
    const res = await call('DELETE', `/api/v1/open-invoice/${made[1].id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: true, message: 'Open Invoice canceled successfully', response: null });
    const { rows } = await ctx.db.executeSql('SELECT status FROM open_invoices WHERE id = $1', [made[1].id]);
    expect(rows[0].status).toBe('cancelled');
    expect((await call('DELETE', `/api/v1/open-invoice/${made[1].id}`)).status).toBe(409);
    const update = await call('PUT', `/api/v1/open-invoice/${made[1].id}`, { expiryDate: '2027-01-31' });
    expect(update.status).toBe(409);
    const listed = (await call('GET', '/api/v1/open-invoice', { search: 'course' })).body.response.data[0];
    expect(listed).toMatchObject({ state: 'cancelled', status: 1 });
  });

  it("answers another merchant's open invoice exactly like a missing one", async () => {
    for (const method of ['PUT', 'DELETE'] as const) {
      const foreign = await call(method, `/api/v1/open-invoice/${made[2].id}`, { expiryDate: '2027-01-31' }, other);
      const missing = await call(method, '/api/v1/open-invoice/99999999', { expiryDate: '2027-01-31' }, other);
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(missing.body);
    }
    const { rows } = await ctx.db.executeSql('SELECT status, expiry_date FROM open_invoices WHERE id = $1', [made[2].id]);
    expect(rows[0]).toEqual({ status: 'active', expiry_date: null });
  });

  it('returns the profile without any secret', async () => {
    const res = await call('GET', '/api/v1/profile');
    expect(res.status).toBe(200);
    expect(res.body.response).toMatchObject({
      business_name: 'Dar Al Kitab',
      email: 'hello@dar.kw',
      username: m.merchantCode,
      merchant_code: m.merchantCode,
      panel_username: m.issued.username,
      country_id: 11,
      payment_methods: [
        { id: '1', name: 'KNET' },
        { id: '2', name: 'MPGS' },
        { id: '9', name: 'MPGS Apple Pay' },
      ],
      settings: { time_zone: 'Asia/Kuwait', default_language: 'en', webhook_url: null },
    });
    const text = JSON.stringify(res.body);
    for (const secret of [m.issued.secretKey, m.issued.iv, m.issued.accessCode, m.issued.password, SANDBOX.secretKey, 'argon2'])
      expect(text).not.toContain(secret);
  });
});
