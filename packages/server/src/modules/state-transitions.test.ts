import { beforeAll, expect, it } from 'vitest';
import type { Invoice, Merchant, OpenInvoice } from '../db/schema.ts';
import { numericToken, publicKey } from '../lib/random-ids.ts';
import { describeEngines } from '../test-support/engines.ts';
import * as invoiceState from './invoices/invoice-state.ts';
import { createInvoicesRepo } from './invoices/invoices.repo.ts';
import { createMerchantsRepo } from './merchants/merchants.repo.ts';
import * as openInvoiceState from './open-invoices/open-invoice-state.ts';
import { createOpenInvoicesRepo } from './open-invoices/open-invoices.repo.ts';
import { createPaymentsRepo, type NewAttempt } from './payments/payments.repo.ts';
import * as transactionState from './payments/transaction-state.ts';

/** Noon in Kuwait on the day every invoice here is still payable. */
const NOW = new Date('2026-11-21T09:00:00Z');
const TODAY = '2026-11-21';
const LATER = (ms: number) => new Date(NOW.getTime() + ms);

describeEngines('state transitions', (ctx) => {
  let merchant: Merchant;
  let n = 0;

  beforeAll(async () => {
    merchant = await createMerchantsRepo().insertMerchant(ctx.db.db, { code: '990001', name: 'State Co', isSandbox: true, paymentMethods: [1, 2] });
  });

  const newInvoice = async (over: Partial<Pick<Invoice, 'expires_on'>> = {}): Promise<Invoice> => {
    const [inv] = await createInvoicesRepo({ database: ctx.db }).insertInvoices(ctx.db.db, [
      {
        merchant_id: merchant.id,
        created_by: null,
        kind: 'single',
        plan_id: null,
        installment_number: null,
        token: numericToken(NOW),
        access_key: publicKey(),
        reference_number: null,
        amount: 10_000n,
        description: null,
        customer_name: 'Customer',
        customer_email: null,
        country_code: '965',
        mobile_number: '66666666',
        delivery_type: 0,
        delivery_channel: 3,
        payment_methods: [1, 2],
        language: 'en',
        expires_on: over.expires_on ?? '2026-11-30',
        created_on: TODAY,
        webhook_url: null,
        visited_count: null,
        paid_at: null,
        cancelled_at: null,
        expired_at: null,
      },
    ]);
    return inv!;
  };

  const newOpenInvoice = async (over: Partial<Pick<OpenInvoice, 'expiry_date'>> = {}): Promise<OpenInvoice> => {
    const repo = createOpenInvoicesRepo();
    const statement = repo.insertStatement(ctx.db.db, {
      merchant_id: merchant.id,
      created_by: null,
      reference_number: numericToken(NOW),
      public_key: publicKey(),
      title: 'Donation',
      description: null,
      amount_type: 0,
      fixed_amount: 5_000n,
      min_amount: null,
      max_amount: null,
      expiry_date: over.expiry_date ?? null,
      tried_count: null,
      cancelled_at: null,
    });
    const { rows } = await ctx.db.executeSql(statement.text, [...statement.parameters]);
    return statement.rows(rows);
  };

  const attempt = (): NewAttempt => {
    n++;
    return {
      merchantId: merchant.id,
      token: numericToken(NOW),
      receiptKey: publicKey(),
      trackId: String(9_000_000_000_000_000n + BigInt(n)),
      connector: 'sandbox',
      referenceNumber: null,
      amount: 10_000n,
      method: 1,
      customerName: 'Customer',
      customerEmail: null,
      customerMobile: '66666666',
      now: NOW,
    };
  };

  const claim = (inv: Invoice, lockUntil = LATER(60_000), now = NOW) =>
    invoiceState.claimForPayment(ctx.db.db, { invoiceId: inv.id, today: TODAY, lockUntil, now });
  const row = async (inv: Invoice) => (await createInvoicesRepo({ database: ctx.db }).findById(ctx.db.db, merchant.id, inv.id))!;

  it('pending → cancelled once; a cancelled invoice cannot be claimed, paid or cancelled again', async () => {
    const inv = await newInvoice();
    expect(await invoiceState.cancel(ctx.db.db, merchant.id, inv.token, TODAY, NOW)).toMatchObject({ status: 'cancelled' });
    expect(await invoiceState.cancel(ctx.db.db, merchant.id, inv.token, TODAY, NOW)).toBeUndefined();
    expect(await claim(inv)).toBe(false);
    expect(await invoiceState.markPaid(ctx.db.db, inv.id, NOW)).toBeUndefined();
    expect((await row(inv)).status).toBe('cancelled');
  });

  it('a paid invoice cannot be cancelled, claimed or paid again; paying released its claim', async () => {
    const inv = await newInvoice();
    expect(await claim(inv)).toBe(true);
    expect(await invoiceState.markPaid(ctx.db.db, inv.id, NOW)).toEqual({
      id: inv.id,
      token: inv.token,
      amount: inv.amount,
      reference_number: null,
      webhook_url: null,
    });
    expect((await row(inv)).payment_locked_until).toBeNull();
    expect(await invoiceState.cancel(ctx.db.db, merchant.id, inv.token, TODAY, LATER(120_000))).toBeUndefined();
    expect(await claim(inv, LATER(120_000), LATER(60_001))).toBe(false);
    expect(await invoiceState.markPaid(ctx.db.db, inv.id, NOW)).toBeUndefined();
    expect((await row(inv)).status).toBe('paid');
  });

  it('a claim cannot be taken twice while live; a lapsed one can be taken over', async () => {
    const inv = await newInvoice();
    expect(await claim(inv, LATER(60_000))).toBe(true);
    expect(await claim(inv, LATER(90_000), LATER(30_000))).toBe(false);
    // At the instant the first claim lapses it is still held; one millisecond later it is not.
    expect(await claim(inv, LATER(120_000), LATER(60_000))).toBe(false);
    expect(await claim(inv, LATER(120_001), LATER(60_001))).toBe(true);
    expect((await row(inv)).payment_locked_until).toEqual(LATER(120_001));
  });

  it('a release only releases its own claim', async () => {
    const inv = await newInvoice();
    expect(await claim(inv, LATER(60_000))).toBe(true);
    // The first claim lapsed and another attempt took the invoice: the first attempt's late
    // release must leave the second attempt's claim in place.
    expect(await claim(inv, LATER(200_000), LATER(100_000))).toBe(true);
    expect(await invoiceState.releaseClaim(ctx.db.db, inv.id, LATER(60_000))).toBe(false);
    expect((await row(inv)).payment_locked_until).toEqual(LATER(200_000));
    expect(await invoiceState.releaseClaim(ctx.db.db, inv.id, LATER(200_000))).toBe(true);
    expect((await row(inv)).payment_locked_until).toBeNull();
  });

  it('a claimed invoice cannot be cancelled or expired until the claim lapses', async () => {
    const inv = await newInvoice({ expires_on: TODAY });
    // Two days later in Kuwait the invoice is past its expiry day; the claim outlasts that.
    const twoDaysLater = new Date('2026-11-23T09:00:00Z');
    const lockUntil = new Date('2026-11-23T10:00:00Z');
    expect(await claim(inv, lockUntil)).toBe(true);
    expect(await invoiceState.cancel(ctx.db.db, merchant.id, inv.token, TODAY, LATER(1_000))).toBeUndefined();
    const expiredWhileHeld = await invoiceState.expireDue(ctx.db.db, twoDaysLater, 1_000);
    expect(expiredWhileHeld.map((i) => i.id)).not.toContain(inv.id);
    expect(await invoiceState.releaseClaim(ctx.db.db, inv.id, lockUntil)).toBe(true);
    const expired = await invoiceState.expireDue(ctx.db.db, twoDaysLater, 1_000);
    expect(expired.find((i) => i.id === inv.id)).toMatchObject({ status: 'expired' });
    expect(await invoiceState.expireDue(ctx.db.db, twoDaysLater, 1_000)).not.toContainEqual(expect.objectContaining({ id: inv.id }));
    expect(await invoiceState.cancel(ctx.db.db, merchant.id, inv.token, '2026-11-23', twoDaysLater)).toBeUndefined();
    expect(await invoiceState.markPaid(ctx.db.db, inv.id, twoDaysLater)).toBeUndefined();
  });

  it('past its expiry day an invoice can be neither claimed nor cancelled, and reads as expired', async () => {
    const inv = await newInvoice({ expires_on: '2026-11-20' });
    expect(await claim(inv)).toBe(false);
    expect(await invoiceState.cancel(ctx.db.db, merchant.id, inv.token, TODAY, NOW)).toBeUndefined();
    expect(invoiceState.effectiveStatus(await row(inv), TODAY)).toBe('expired');
    expect(invoiceState.effectiveStatus(await row(inv), '2026-11-20')).toBe('pending');
  });

  it('cancel is scoped to the merchant', async () => {
    const inv = await newInvoice();
    expect(await invoiceState.cancel(ctx.db.db, merchant.id + 1_000_000n, inv.token, TODAY, NOW)).toBeUndefined();
    expect((await row(inv)).status).toBe('pending');
  });

  it('visits and delivery outcomes are counted whatever the status', async () => {
    const inv = await newInvoice();
    expect((await invoiceState.countVisit(ctx.db.db, inv.access_key))?.visited_count).toBe(1);
    await invoiceState.cancel(ctx.db.db, merchant.id, inv.token, TODAY, NOW);
    expect((await invoiceState.countVisit(ctx.db.db, inv.access_key))?.visited_count).toBe(2);
    expect(await invoiceState.countVisit(ctx.db.db, 'no-such-access-key-000000')).toBeUndefined();
    expect(await invoiceState.recordDelivery(ctx.db.db, inv.id, 'failed', 'unreachable')).toBe(true);
    expect(await row(inv)).toMatchObject({ sms_status: invoiceState.SMS_STATUS.failed, sms_response: 'unreachable' });
    expect(await invoiceState.recordDelivery(ctx.db.db, inv.id, 'sent', 'ok')).toBe(true);
    expect(await row(inv)).toMatchObject({ sms_status: invoiceState.SMS_STATUS.sent, sms_response: 'ok', status: 'cancelled' });
  });

  it('an attempt settles once: PROCESSING → SUCCESSFUL, never then FAILED', async () => {
    const inv = await newInvoice();
    const tx = await createPaymentsRepo().claimInvoice(ctx.db.db, inv.id, TODAY, LATER(60_000), attempt());
    expect(tx?.status).toBe('PROCESSING');
    const done = { paymentId: 'P1', terminal: null, resultCode: 'CAPTURED', failureReason: null, cardType: 'KNET', maskedCard: null, now: NOW };
    expect(await transactionState.complete(ctx.db.db, tx!.id, { ...done, status: 'SUCCESSFUL' })).toMatchObject({ status: 'SUCCESSFUL', completed_at: NOW });
    expect(
      await transactionState.complete(ctx.db.db, tx!.id, { ...done, status: 'FAILED', resultCode: 'TIMED_OUT', failureReason: 'timed_out' }),
    ).toBeUndefined();
    // The claim taken with the attempt refuses a second attempt at once.
    expect(await createPaymentsRepo().claimInvoice(ctx.db.db, inv.id, TODAY, LATER(60_000), attempt())).toBeUndefined();
  });

  it('open invoices: active → cancelled once; a cancelled or expired one takes no attempt and no new expiry', async () => {
    const oi = await newOpenInvoice();
    expect(await openInvoiceState.countTry(ctx.db.db, oi.id, TODAY)).toBe(true);
    expect(await openInvoiceState.setExpiry(ctx.db.db, merchant.id, oi.id, '2026-12-31', NOW)).toMatchObject({ expiry_date: '2026-12-31', tried_count: 1 });
    expect(await openInvoiceState.cancel(ctx.db.db, merchant.id + 1_000_000n, oi.id, NOW)).toBeUndefined();
    expect(await openInvoiceState.cancel(ctx.db.db, merchant.id, oi.id, NOW)).toMatchObject({ status: 'cancelled' });
    expect(await openInvoiceState.cancel(ctx.db.db, merchant.id, oi.id, NOW)).toBeUndefined();
    expect(await openInvoiceState.countTry(ctx.db.db, oi.id, TODAY)).toBe(false);
    expect(await openInvoiceState.setExpiry(ctx.db.db, merchant.id, oi.id, '2027-01-31', NOW)).toBeUndefined();
    expect(await createPaymentsRepo().claimOpenInvoice(ctx.db.db, oi.id, TODAY, attempt())).toBeUndefined();

    const expired = await newOpenInvoice({ expiry_date: '2026-11-20' });
    expect(await openInvoiceState.countTry(ctx.db.db, expired.id, TODAY)).toBe(false);
    expect(await openInvoiceState.countTry(ctx.db.db, expired.id, '2026-11-20')).toBe(true);
  });

  it('open invoices: a payment charged before the link was cancelled is still counted', async () => {
    const oi = await newOpenInvoice();
    await openInvoiceState.cancel(ctx.db.db, merchant.id, oi.id, NOW);
    expect(await openInvoiceState.addPayment(ctx.db.db, oi.id, 5_000n)).toEqual({ id: oi.id, reference_number: oi.reference_number });
    expect(await createOpenInvoicesRepo().findById(ctx.db.db, merchant.id, oi.id)).toMatchObject({ total_paid: 5_000n, paid_count: 1, status: 'cancelled' });
  });
});
