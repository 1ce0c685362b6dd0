import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { cardScheme, luhnValid, maskCard, normalizeCardNumber } from './card-numbers.ts';
import type { PaymentCredentials, PaymentOutcome, StartRequest } from './payment-connector.ts';
import { createSandboxConnector } from './sandbox-connector.ts';

const WALLET_METHODS = [9, 10, 11, 12, 13, 14, 16];

function knet(over: Partial<Extract<PaymentCredentials, { flow: 'knet' }>> = {}): PaymentCredentials {
  return { flow: 'knet', bank: 'NBK', cardNumber: '8888880000000001', expiryMonth: '09', expiryYear: '25', pin: '1234', ...over };
}

function card(cardNumber: string, expiry: string, cvv: string, over: Partial<Extract<PaymentCredentials, { flow: 'card' }>> = {}): PaymentCredentials {
  const [expiryMonth = '', expiryYear = ''] = expiry.split('/');
  return { flow: 'card', cardNumber, expiryMonth, expiryYear, cvv, nameOnCard: 'Test Customer', ...over };
}

let tracks = 0;
function request(method: number): StartRequest {
  tracks += 1;
  return { trackId: `track-${tracks}`, amount: 10_000n, currency: 'KWD', method };
}

async function pay(method: number, credentials: PaymentCredentials): Promise<PaymentOutcome> {
  const connector = createSandboxConnector();
  expect(connector.validate(method, credentials)).toBeNull();
  const req = request(method);
  const started = await connector.start(req);
  return connector.complete({ ...req, ...started }, credentials);
}

describe('card-numbers', () => {
  it.each([
    // The published KNET test card fails Luhn (its check digit would be 5); validation lists it.
    ['8888880000000001', false],
    ['8888880000000005', true],
    ['4012001037141112', true],
    ['5453010000095539', true],
    ['5555555555554444', true],
    ['345678901234564', true],
    ['4000000000000002', true],
    ['340000000002708', true],
    ['4012001037141113', false],
    ['', false],
    ['4012 0010 3714 1112', false],
    ['abcd', false],
  ])('luhnValid(%j) is %s', (digits, valid) => {
    expect(luhnValid(digits)).toBe(valid);
  });

  it.each([
    ['8888880000000001', 'KNET'],
    ['4012001037141112', 'VISA'],
    ['5453010000095539', 'MASTERCARD'],
    ['2221000000000009', 'MASTERCARD'],
    ['2720990000000000', 'MASTERCARD'],
    ['345678901234564', 'AMEX'],
    ['371449635398431', 'AMEX'],
    ['6011111111111117', undefined],
    ['2720x', undefined],
    ['', undefined],
  ])('cardScheme(%j) is %s', (digits, scheme) => {
    expect(cardScheme(digits)).toBe(scheme);
  });

  it.each([
    ['8888880000000001', '888888******0001'],
    ['4012001037141112', '401200******1112'],
    ['345678901234564', '345678*****4564'],
    ['4222222222222', '422222***2222'],
    ['4000000000000000006', '400000*********0006'],
    ['123456789', '*****6789'],
    ['123', '***'],
  ])('maskCard(%j) is %j', (digits, masked) => {
    expect(maskCard(digits)).toBe(masked);
  });

  it('normalizeCardNumber strips spaces and dashes only', () => {
    expect(normalizeCardNumber('4012 0010-3714 1112')).toBe('4012001037141112');
    expect(normalizeCardNumber('4012.0010\t3714_1112')).toBe('4012.0010\t3714_1112');
  });
});

describe('sandbox connector: start, status, refund', () => {
  it('is named sandbox and starts payments with 18-digit ids on terminal SANDBOX01', async () => {
    const connector = createSandboxConnector();
    expect(connector.name).toBe('sandbox');
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const started = await connector.start(request(1));
      expect(started.paymentId).toMatch(/^[1-9]\d{17}$/);
      expect(started.terminal).toBe('SANDBOX01');
      ids.add(started.paymentId);
    }
    expect(ids.size).toBe(50);
  });

  it('status by trackId is undefined before complete and the recorded payment after', async () => {
    const connector = createSandboxConnector();
    const req = request(1);
    const started = await connector.start(req);
    expect(await connector.status(req.trackId)).toBeUndefined();
    const outcome = await connector.complete({ ...req, ...started }, knet());
    expect(outcome.approved).toBe(true);
    expect(await connector.status(req.trackId)).toEqual({ ...outcome, ...started });

    const req2 = request(1);
    const refused = await connector.start(req2);
    const refusal = await connector.complete({ ...req2, ...refused }, knet({ pin: '0000' }));
    expect(refusal.approved).toBe(false);
    expect(await connector.status(req2.trackId)).toEqual({ ...refusal, ...refused });
    expect(await connector.status(req.trackId)).toEqual({ ...outcome, ...started });
    expect(await connector.status('unknown-track')).toBeUndefined();
    expect(await connector.status(started.paymentId)).toBeUndefined();
  });

  it('status returns a copy that callers cannot use to change the record', async () => {
    const connector = createSandboxConnector();
    const req = request(16);
    const started = await connector.start(req);
    await connector.complete({ ...req, ...started }, { flow: 'wallet' });
    const first = await connector.status(req.trackId);
    if (!first) throw new Error('expected an outcome');
    first.approved = false;
    expect((await connector.status(req.trackId))?.approved).toBe(true);
  });

  it('forgets the oldest payments beyond its bound, for status and refund alike', async () => {
    const connector = createSandboxConnector({ rememberedOutcomes: 3 });
    const attempts: { trackId: string; paymentId: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const req = request(9);
      const started = await connector.start(req);
      await connector.complete({ ...req, ...started }, { flow: 'wallet' });
      attempts.push({ trackId: req.trackId, paymentId: started.paymentId });
    }
    const known = await Promise.all(attempts.map((a) => connector.status(a.trackId)));
    expect(known.map((o) => o !== undefined)).toEqual([false, false, true, true, true]);
    const refunds = await Promise.all(attempts.map((a) => connector.refund(a.paymentId, 1n)));
    expect(refunds.map((r) => r.approved)).toEqual([false, false, true, true, true]);
  });

  it('refunds approved payments for a positive amount only', async () => {
    const connector = createSandboxConnector();
    const okReq = request(1);
    const ok = await connector.start(okReq);
    await connector.complete({ ...okReq, ...ok }, knet());
    const refusedReq = request(1);
    const refused = await connector.start(refusedReq);
    await connector.complete({ ...refusedReq, ...refused }, knet({ expiryYear: '26' }));
    const never = await connector.start(request(1));

    const full = await connector.refund(ok.paymentId, 10_000n);
    expect(full.approved).toBe(true);
    expect(full.refundId).toMatch(/^\d{18}$/);
    expect((await connector.refund(ok.paymentId, 0n)).approved).toBe(false);
    expect((await connector.refund(ok.paymentId, -1n)).approved).toBe(false);
    expect((await connector.refund(refused.paymentId, 1n)).approved).toBe(false);
    expect((await connector.refund(never.paymentId, 1n)).approved).toBe(false);
    expect((await connector.refund(never.paymentId, 1n)).refundId).toMatch(/^\d{18}$/);
  });
});

describe('sandbox connector: KNET outcomes', () => {
  it.each([
    ['test card, listed expiry and PIN', knet(), true, 'CAPTURED', null],
    ['test card typed with spaces', knet({ cardNumber: '8888 8800 0000 0001' }), true, 'CAPTURED', null],
    ['test card, other expiry month', knet({ expiryMonth: '10' }), false, 'NOT CAPTURED', 'not_captured'],
    ['test card, other expiry year', knet({ expiryYear: '26' }), false, 'NOT CAPTURED', 'not_captured'],
    ['test card, wrong PIN', knet({ pin: '4321' }), false, 'NOT CAPTURED', 'not_captured'],
    ['another Luhn-valid card', knet({ cardNumber: '4012001037141112' }), false, 'NOT CAPTURED', 'not_test_card'],
    ['another 888888 card', knet({ cardNumber: '8888880000000005' }), false, 'NOT CAPTURED', 'not_test_card'],
  ] as const)('%s', async (_name, credentials, approved, resultCode, reason) => {
    const outcome = await pay(1, credentials);
    const number = normalizeCardNumber((credentials as { cardNumber: string }).cardNumber);
    expect(outcome).toEqual({ approved, resultCode, reason, cardType: 'KNET', maskedCard: maskCard(number) });
  });

  it('masks the KNET test card as 888888******0001', async () => {
    expect((await pay(1, knet())).maskedCard).toBe('888888******0001');
  });
});

/** The published test cards, independent of the connector's own table. */
const CARD_ROWS = [
  { number: '4012001037141112', expiry: '12/25', cvv: '207', type: 'VISA', methods: [2, 5] },
  { number: '5453010000095539', expiry: '12/25', cvv: '300', type: 'MASTERCARD', methods: [2, 5] },
  { number: '5555555555554444', expiry: '09/25', cvv: '123', type: 'MASTERCARD', methods: [2, 5] },
  { number: '345678901234564', expiry: '09/25', cvv: '1234', type: 'AMEX', methods: [5, 7, 8] },
  { number: '4000000000000002', expiry: '09/25', cvv: '1234', type: 'VISA', methods: [2, 5] },
  { number: '340000000002708', expiry: '09/25', cvv: '1234', type: 'AMEX', methods: [5, 7, 8] },
] as const;

const CARD_CASES = CARD_ROWS.flatMap((row) => row.methods.map((method) => ({ ...row, method })));
const MPGS_CASES = CARD_CASES.filter((c) => c.method !== 5);
const WRONG_CVV: Record<string, string> = { 3: '999', 4: '9999' };

describe('sandbox connector: card outcomes', () => {
  it.each(CARD_CASES)('$number on method $method: listed expiry and CVV approve', async (row) => {
    const outcome = await pay(row.method, card(row.number, row.expiry, row.cvv));
    expect(outcome).toEqual({
      approved: true,
      resultCode: row.method === 5 ? 'ACCEPT' : 'CAPTURED',
      reason: null,
      cardType: row.type,
      maskedCard: maskCard(row.number),
    });
  });

  it.each(CARD_CASES)('$number on method $method: wrong CVV declines', async (row) => {
    const outcome = await pay(row.method, card(row.number, row.expiry, WRONG_CVV[row.cvv.length] ?? '000'));
    expect(outcome).toMatchObject({ approved: false, resultCode: 'DECLINED', reason: 'declined', cardType: row.type });
  });

  it.each(CARD_CASES)('$number on method $method: another expiry declines', async (row) => {
    const outcome = await pay(row.method, card(row.number, '11/30', row.cvv));
    expect(outcome).toMatchObject({ approved: false, resultCode: 'DECLINED', reason: 'declined', cardType: row.type });
  });

  const MPGS_EXPIRIES = [
    ['05/39', true, 'CAPTURED', null],
    ['04/27', false, 'EXPIRED_CARD', 'expired_card'],
    ['08/28', false, 'TIMED_OUT', 'timed_out'],
    ['01/37', false, 'ACQUIRER_SYSTEM_ERROR', 'acquirer_error'],
    ['02/37', false, 'UNSPECIFIED_FAILURE', 'unspecified_failure'],
    ['05/37', false, 'UNKNOWN', 'unknown_cvv'],
  ] as const;

  describe.each(MPGS_EXPIRIES)('MPGS test expiry %s', (expiry, approved, resultCode, reason) => {
    it.each(MPGS_CASES)('$number on method $method', async (row) => {
      const outcome = await pay(row.method, card(row.number, expiry, row.cvv));
      expect(outcome).toEqual({ approved, resultCode, reason, cardType: row.type, maskedCard: maskCard(row.number) });
    });
  });

  it('05/39 with a wrong CVV declines', async () => {
    const outcome = await pay(2, card('4012001037141112', '05/39', '999'));
    expect(outcome).toMatchObject({ approved: false, resultCode: 'DECLINED', reason: 'declined' });
  });

  it('MPGS test expiries do not apply to Cybersource (method 5)', async () => {
    for (const [expiry] of MPGS_EXPIRIES) {
      const outcome = await pay(5, card('4000000000000002', expiry, '1234'));
      expect(outcome).toMatchObject({ approved: false, resultCode: 'DECLINED', reason: 'declined' });
    }
  });

  it.each([
    [2, '4111111111111111', '123', 'VISA'],
    [2, '5105105105105100', '123', 'MASTERCARD'],
    [5, '4111111111111111', '123', 'VISA'],
    [7, '378282246310005', '1234', 'AMEX'],
    [8, '371449635398431', '1234', 'AMEX'],
  ])('method %i: a Luhn-valid card not in the list (%s) is not a test card', async (method, number, cvv, type) => {
    const outcome = await pay(method, card(number, '12/25', cvv));
    expect(outcome).toEqual({
      approved: false,
      resultCode: 'DECLINED',
      reason: 'not_test_card',
      cardType: type,
      maskedCard: maskCard(number),
    });
  });

  it('accepts the test card number typed with spaces and dashes', async () => {
    const outcome = await pay(2, card('4012 0010-3714 1112', '12/25', '207'));
    expect(outcome).toMatchObject({ approved: true, maskedCard: '401200******1112' });
  });

  it('masks a 15-digit AMEX with five stars', async () => {
    expect((await pay(7, card('345678901234564', '09/25', '1234'))).maskedCard).toBe('345678*****4564');
  });
});

describe('sandbox connector: wallets', () => {
  it.each(WALLET_METHODS)('method %i approves', async (method) => {
    const outcome = await pay(method, { flow: 'wallet' });
    expect(outcome).toEqual({
      approved: true,
      resultCode: 'CAPTURED',
      reason: null,
      cardType: method === 16 ? 'GOOGLE PAY' : 'APPLE PAY',
      maskedCard: null,
    });
  });
});

describe('sandbox connector: validate', () => {
  const connector = createSandboxConnector();

  it('accepts every published test card on the methods its scheme suits', () => {
    expect(connector.validate(1, knet())).toBeNull();
    for (const row of CARD_CASES) expect(connector.validate(row.method, card(row.number, row.expiry, row.cvv))).toBeNull();
    for (const method of WALLET_METHODS) expect(connector.validate(method, { flow: 'wallet' })).toBeNull();
  });

  it.each([
    [1, card('4012001037141112', '12/25', '207')],
    [2, knet()],
    [5, { flow: 'wallet' } as const],
    [9, knet()],
    [16, card('4012001037141112', '12/25', '207')],
    [0, { flow: 'wallet' } as const],
    [15, { flow: 'wallet' } as const],
    [3, { flow: 'wallet' } as const],
  ] as [number, PaymentCredentials][])('method %i with the wrong form is a method problem', (method, credentials) => {
    expect(connector.validate(method, credentials)).toEqual({ method: 'invalid' });
  });

  it.each([
    ['bank missing', knet({ bank: '' }), { bank: 'required' }],
    ['bank blank', knet({ bank: '   ' }), { bank: 'required' }],
    ['bank too long', knet({ bank: 'B'.repeat(21) }), { bank: 'invalid' }],
    ['bank 20 chars', knet({ bank: 'B'.repeat(20) }), null],
    ['bank with control character', knet({ bank: 'NB\u0000K' }), { bank: 'invalid' }],
    ['card number missing', knet({ cardNumber: '' }), { cardNumber: 'required' }],
    ['card number only separators', knet({ cardNumber: ' - ' }), { cardNumber: 'required' }],
    ['card number fails Luhn', knet({ cardNumber: '8888880000000002' }), { cardNumber: 'invalid' }],
    ['another Luhn-valid card', knet({ cardNumber: '4012001037141112' }), null],
    ['card number 15 digits', knet({ cardNumber: '888888000000001' }), { cardNumber: 'invalid' }],
    ['card number with letters', knet({ cardNumber: '88888800000000O1' }), { cardNumber: 'invalid' }],
    ['card number with dots', knet({ cardNumber: '8888.8800.0000.0001' }), { cardNumber: 'invalid' }],
    ['month missing', knet({ expiryMonth: '' }), { expiryMonth: 'required' }],
    ['month 13', knet({ expiryMonth: '13' }), { expiryMonth: 'invalid' }],
    ['month 00', knet({ expiryMonth: '00' }), { expiryMonth: 'invalid' }],
    ['month one digit', knet({ expiryMonth: '9' }), { expiryMonth: 'invalid' }],
    ['year missing', knet({ expiryYear: '' }), { expiryYear: 'required' }],
    ['year four digits', knet({ expiryYear: '2025' }), { expiryYear: 'invalid' }],
    ['PIN missing', knet({ pin: '' }), { pin: 'required' }],
    ['PIN 3 digits', knet({ pin: '123' }), { pin: 'invalid' }],
    ['PIN 5 digits', knet({ pin: '12345' }), { pin: 'invalid' }],
    ['PIN letters', knet({ pin: '12a4' }), { pin: 'invalid' }],
    ['a past expiry is not a validation problem', knet({ expiryMonth: '01', expiryYear: '20' }), null],
  ] as [string, PaymentCredentials, Record<string, string> | null][])('KNET: %s', (_name, credentials, problems) => {
    expect(connector.validate(1, credentials)).toEqual(problems);
  });

  it('KNET: reports every problem at once, and fields that are missing altogether', () => {
    const missing = { flow: 'knet' } as unknown as PaymentCredentials;
    expect(connector.validate(1, missing)).toEqual({
      bank: 'required',
      cardNumber: 'required',
      expiryMonth: 'required',
      expiryYear: 'required',
      pin: 'required',
    });
  });

  const visa = (over: Partial<Extract<PaymentCredentials, { flow: 'card' }>>) => card('4012001037141112', '12/25', '207', over);
  const amex = (over: Partial<Extract<PaymentCredentials, { flow: 'card' }>>) => card('345678901234564', '09/25', '1234', over);

  it.each([
    ['card number missing', 2, visa({ cardNumber: '' }), { cardNumber: 'required' }],
    ['Luhn failure', 2, visa({ cardNumber: '4012001037141113' }), { cardNumber: 'invalid' }],
    ['12 digits', 2, visa({ cardNumber: '401200103714' }), { cardNumber: 'invalid' }],
    ['20 digits', 2, visa({ cardNumber: '40120010371411120008' }), { cardNumber: 'invalid' }],
    ['AMEX on method 2', 2, amex({}), { cardNumber: 'not_accepted' }],
    ['Visa on method 7', 7, visa({}), { cardNumber: 'not_accepted' }],
    ['MasterCard on method 7', 7, card('5555555555554444', '09/25', '123'), { cardNumber: 'not_accepted' }],
    ['Visa on method 8', 8, visa({}), { cardNumber: 'not_accepted' }],
    ['KNET card on method 5', 5, card('8888880000000001', '09/25', '123'), { cardNumber: 'not_accepted' }],
    ['unknown scheme on method 5', 5, card('6011111111111117', '09/25', '123'), { cardNumber: 'not_accepted' }],
    ['Visa with a 4-digit CVV', 2, visa({ cvv: '2070' }), { cvv: 'invalid' }],
    ['Visa with a 2-digit CVV', 2, visa({ cvv: '20' }), { cvv: 'invalid' }],
    ['AMEX with a 3-digit CVV', 7, amex({ cvv: '123' }), { cvv: 'invalid' }],
    ['AMEX with a 4-digit CVV', 7, amex({ cvv: '4321' }), null],
    ['MasterCard with a 4-digit CVV', 5, card('5555555555554444', '09/25', '1234'), { cvv: 'invalid' }],
    ['Cybersource test Visa with its published 4-digit CVV', 5, card('4000000000000002', '09/25', '1234'), null],
    ['Cybersource test Visa with a 3-digit CVV', 5, card('4000000000000002', '09/25', '123'), null],
    ['CVV missing', 2, visa({ cvv: '' }), { cvv: 'required' }],
    ['CVV letters', 2, visa({ cvv: 'abc' }), { cvv: 'invalid' }],
    ['month 13', 2, visa({ expiryMonth: '13' }), { expiryMonth: 'invalid' }],
    ['year missing', 2, visa({ expiryYear: '' }), { expiryYear: 'required' }],
    ['year three digits', 2, visa({ expiryYear: '125' }), { expiryYear: 'invalid' }],
    ['name missing', 2, visa({ nameOnCard: '' }), { nameOnCard: 'required' }],
    ['name blank', 2, visa({ nameOnCard: '  ' }), { nameOnCard: 'required' }],
    ['name 100 characters', 2, visa({ nameOnCard: 'A'.repeat(100) }), null],
    ['name 101 characters', 2, visa({ nameOnCard: 'A'.repeat(101) }), { nameOnCard: 'invalid' }],
    ['name in Arabic', 2, visa({ nameOnCard: 'محمد الكويتي' }), null],
    ['name with a newline', 2, visa({ nameOnCard: 'Test\nCustomer' }), { nameOnCard: 'invalid' }],
    ['name with a C1 control', 2, visa({ nameOnCard: 'Test\u0085Customer' }), { nameOnCard: 'invalid' }],
    ['a past expiry is not a validation problem', 2, visa({ expiryMonth: '01', expiryYear: '20' }), null],
  ] as [string, number, PaymentCredentials, Record<string, string> | null][])('card: %s', (_name, method, credentials, problems) => {
    expect(connector.validate(method, credentials)).toEqual(problems);
  });

  it('card: an unusable number is reported alone, CVV of either length passes', () => {
    expect(connector.validate(2, visa({ cardNumber: '1234', cvv: '1234' }))).toEqual({ cardNumber: 'invalid' });
  });
});

describe('sandbox connector: card data never leaves', () => {
  const digitString = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
  /** A Luhn-valid number with a realistic prefix, so outcomes run past validation. */
  const luhnCard = fc
    .tuple(fc.constantFrom('4', '51', '55', '2221', '34', '37', '888888', '6011'), fc.integer({ min: 13, max: 19 }))
    .chain(([prefix, length]) => digitString(length - prefix.length - 1, length - prefix.length - 1).map((body) => withCheckDigit(prefix + body)));
  const testCardNumber = fc.constantFrom(
    '8888880000000001',
    '4012001037141112',
    '5453010000095539',
    '5555555555554444',
    '345678901234564',
    '4000000000000002',
    '340000000002708',
  );
  const number = fc.oneof(luhnCard, testCardNumber, digitString(13, 19), fc.string({ maxLength: 25 }));
  const month = fc.oneof(fc.constantFrom('01', '04', '05', '08', '09', '12', '13'), fc.string({ maxLength: 3 }));
  const year = fc.oneof(fc.constantFrom('25', '27', '28', '37', '39'), digitString(0, 3));
  const secret = fc.oneof(fc.constantFrom('1234', '207', '300', '123'), digitString(3, 4), fc.string({ maxLength: 5 }));
  const method = fc.constantFrom(1, 2, 5, 7, 8, 9, 16, 0, 15);
  const credentials: fc.Arbitrary<PaymentCredentials> = fc.oneof(
    fc.record({
      flow: fc.constant('knet' as const),
      bank: fc.constantFrom('NBK', 'KFH', ''),
      cardNumber: number,
      expiryMonth: month,
      expiryYear: year,
      pin: secret,
    }),
    fc.record({
      flow: fc.constant('card' as const),
      cardNumber: number,
      expiryMonth: month,
      expiryYear: year,
      cvv: secret,
      nameOnCard: fc.constantFrom('Test Customer', ''),
    }),
    fc.constant({ flow: 'wallet' as const }),
  );

  it('no outcome carries the full number, PIN or CVV, and complete never throws', async () => {
    const connector = createSandboxConnector();
    const log = vi.spyOn(console, 'log');
    const error = vi.spyOn(console, 'error');
    const warn = vi.spyOn(console, 'warn');
    try {
      await fc.assert(
        fc.asyncProperty(method, credentials, async (m, creds) => {
          const req = request(m);
          const started = await connector.start(req);
          const outcome = await connector.complete({ ...req, ...started }, creds);
          const stored = await connector.status(req.trackId);
          expect(stored).toEqual({ ...outcome, ...started });
          expect(Object.keys(outcome).sort()).toEqual(['approved', 'cardType', 'maskedCard', 'reason', 'resultCode']);

          const json = JSON.stringify(outcome);
          if (creds.flow !== 'wallet') {
            const digits = normalizeCardNumber(creds.cardNumber);
            // maskedCard is first six, stars, last four of a card-length number, or null.
            if (outcome.maskedCard !== null) {
              expect(outcome.maskedCard).toBe(maskCard(digits));
              expect(digits.length).toBeGreaterThanOrEqual(13);
            }
            if (digits.length >= 5) {
              expect(json).not.toContain(digits);
              expect(json).not.toContain(creds.cardNumber);
            }
          }
          // Outside maskedCard there is no digit at all, so no PIN, CVV, expiry or number.
          const rest = JSON.stringify({ ...outcome, maskedCard: null });
          expect(rest).not.toMatch(/\d/);
          if (creds.flow === 'knet' && creds.pin.length >= 3) expect(rest).not.toContain(creds.pin);
          if (creds.flow === 'card' && creds.cvv.length >= 3) expect(rest).not.toContain(creds.cvv);
        }),
        { numRuns: 500 },
      );
      expect(log).not.toHaveBeenCalled();
      expect(error).not.toHaveBeenCalled();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
      error.mockRestore();
      warn.mockRestore();
    }
  });

  it('invalid input given to complete anyway is refused without masking anything', async () => {
    const connector = createSandboxConnector();
    const req = request(2);
    const started = await connector.start(req);
    const outcome = await connector.complete({ ...req, ...started }, card('4012001037', '12/25', '207'));
    expect(outcome).toEqual({ approved: false, resultCode: 'DECLINED', reason: 'declined', cardType: 'VISA', maskedCard: null });
  });
});

function withCheckDigit(partial: string): string {
  for (let d = 0; d <= 9; d++) {
    if (luhnValid(partial + d)) return partial + d;
  }
  throw new Error('unreachable');
}
