import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, newWebhookSecret, signatureHeader, verifyWebhookSignature } from './webhook-signature.ts';

const NOW = 1_795_251_600;
const body = JSON.stringify({ id: 'evt_1', type: 'invoice.paid', data: { amount: '12.500', name: 'مطعم الخليج' } });
const oldSecret = 'whsec_old_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const newSecret = 'whsec_new_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

describe('webhook signatures', () => {
  it('names its headers', () => {
    expect([SIGNATURE_HEADER, EVENT_ID_HEADER, EVENT_TYPE_HEADER]).toEqual(['fawtara-signature', 'fawtara-event-id', 'fawtara-event-type']);
  });

  it('signs HMAC-SHA256 of `${t}.${body}` keyed with the whole secret, in lowercase hex', () => {
    const expected = createHmac('sha256', newSecret).update(`${NOW}.${body}`).digest('hex');
    expect(signatureHeader(body, [newSecret], NOW)).toBe(`t=${NOW},v1=${expected}`);
    // A fixed vector, so an SDK in another language can check itself against this one.
    expect(signatureHeader('{"a":1}', ['whsec_test'], 1_700_000_000)).toBe(
      `t=1700000000,v1=${createHmac('sha256', 'whsec_test').update('1700000000.{"a":1}').digest('hex')}`,
    );
  });

  it('round trips', () => {
    const header = signatureHeader(body, [newSecret], NOW);
    expect(verifyWebhookSignature(body, header, newSecret, { nowSeconds: NOW })).toEqual({ ok: true, timestamp: NOW });
    expect(verifyWebhookSignature(body, header, [newSecret], { nowSeconds: NOW + 10 })).toEqual({ ok: true, timestamp: NOW });
  });

  it('uses the system clock by default', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(verifyWebhookSignature(body, signatureHeader(body, [newSecret], now), newSecret)).toEqual({ ok: true, timestamp: now });
    expect(verifyWebhookSignature(body, signatureHeader(body, [newSecret], now - 3600), newSecret)).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it('refuses a tampered body', () => {
    const header = signatureHeader(body, [newSecret], NOW);
    expect(verifyWebhookSignature(body.replace('12.500', '99.500'), header, newSecret, { nowSeconds: NOW })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhookSignature(`${body} `, header, newSecret, { nowSeconds: NOW })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhookSignature('', header, newSecret, { nowSeconds: NOW })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a tampered timestamp, even one still inside the tolerance', () => {
    const header = signatureHeader(body, [newSecret], NOW);
    const moved = header.replace(`t=${NOW}`, `t=${NOW + 1}`);
    expect(verifyWebhookSignature(body, moved, newSecret, { nowSeconds: NOW })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses the wrong secret', () => {
    const header = signatureHeader(body, [newSecret], NOW);
    expect(verifyWebhookSignature(body, header, oldSecret, { nowSeconds: NOW })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhookSignature(body, header, newWebhookSecret(), { nowSeconds: NOW })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses stale and future timestamps outside the tolerance, accepting its edges', () => {
    const header = signatureHeader(body, [newSecret], NOW);
    const at = (nowSeconds: number, toleranceSeconds?: number) =>
      verifyWebhookSignature(body, header, newSecret, { nowSeconds, ...(toleranceSeconds === undefined ? {} : { toleranceSeconds }) });
    expect(at(NOW + 300)).toMatchObject({ ok: true });
    expect(at(NOW + 301)).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(at(NOW + 86_400)).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(at(NOW - 300)).toMatchObject({ ok: true });
    expect(at(NOW - 301)).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(at(NOW + 30, 10)).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(at(NOW - 30, 10)).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(at(NOW + 3_000, 3_600)).toMatchObject({ ok: true });
  });

  it('during a rotation, a receiver knowing only the old or only the new secret verifies', () => {
    const header = signatureHeader(body, [newSecret, oldSecret], NOW);
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(verifyWebhookSignature(body, header, oldSecret, { nowSeconds: NOW })).toMatchObject({ ok: true });
    expect(verifyWebhookSignature(body, header, newSecret, { nowSeconds: NOW })).toMatchObject({ ok: true });
    expect(verifyWebhookSignature(body, header, [oldSecret, newSecret], { nowSeconds: NOW })).toMatchObject({ ok: true });
    expect(verifyWebhookSignature(body, header, 'whsec_other', { nowSeconds: NOW })).toEqual({ ok: false, reason: 'bad_signature' });
    // And a receiver that already knows both accepts a header signed with either alone.
    for (const secret of [oldSecret, newSecret]) {
      expect(verifyWebhookSignature(body, signatureHeader(body, [secret], NOW), [newSecret, oldSecret], { nowSeconds: NOW })).toMatchObject({ ok: true });
    }
  });

  it('ignores unknown schemes and tolerates spaces and order', () => {
    const sig = signatureHeader(body, [newSecret], NOW).split(',v1=')[1]!;
    const ok = { ok: true, timestamp: NOW };
    const check = (header: string) => verifyWebhookSignature(body, header, newSecret, { nowSeconds: NOW });
    expect(check(`t=${NOW},v0=deadbeef,v1=${sig}`)).toEqual(ok);
    expect(check(`v1=${sig},t=${NOW}`)).toEqual(ok);
    expect(check(`t=${NOW}, v1=${sig}, v2=whatever`)).toEqual(ok);
    expect(check(`t=${NOW},v1=${sig.toUpperCase()}`)).toEqual(ok);
    expect(check(`t=${NOW},v1=${'0'.repeat(64)},v1=${sig}`)).toEqual(ok);
    // Only unknown schemes, or v1 values that are not 64 hex digits, never match.
    expect(check(`t=${NOW},v0=${sig}`)).toEqual({ ok: false, reason: 'malformed_header' });
    expect(check(`t=${NOW},v1=${sig.slice(0, 62)}`)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(check(`t=${NOW},v1=${sig}00`)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(check(`t=${NOW},v1=`)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('classifies missing and malformed headers', () => {
    const sig = signatureHeader(body, [newSecret], NOW).split(',v1=')[1]!;
    const check = (header: string | undefined) => verifyWebhookSignature(body, header, newSecret, { nowSeconds: NOW });
    expect(check(undefined)).toEqual({ ok: false, reason: 'missing_header' });
    expect(check('')).toEqual({ ok: false, reason: 'missing_header' });
    expect(check('   ')).toEqual({ ok: false, reason: 'missing_header' });
    for (const header of [
      'garbage',
      `v1=${sig}`,
      `t=${NOW}`,
      `t=,v1=${sig}`,
      `t=abc,v1=${sig}`,
      `t=-5,v1=${sig}`,
      `t=1.5,v1=${sig}`,
      `t=${NOW},t=${NOW},v1=${sig}`,
      `t=${NOW},,v1=${sig}`,
      `t=${NOW};v1=${sig}`,
      `t=${NOW},v1`,
      `t=${NOW},=x,v1=${sig}`,
      `t=1${'0'.repeat(20)},v1=${sig}`,
    ]) {
      expect(check(header), header).toEqual({ ok: false, reason: 'malformed_header' });
    }
  });

  it('refuses to sign or verify without a secret', () => {
    expect(() => signatureHeader(body, [], NOW)).toThrow(TypeError);
    expect(() => signatureHeader(body, [''], NOW)).toThrow(TypeError);
    expect(() => verifyWebhookSignature(body, `t=${NOW},v1=${'0'.repeat(64)}`, '')).toThrow(TypeError);
    expect(() => verifyWebhookSignature(body, `t=${NOW},v1=${'0'.repeat(64)}`, [])).toThrow(TypeError);
    expect(() => signatureHeader(body, [newSecret], 1.5)).toThrow(RangeError);
  });

  it('makes fresh, well-formed secrets', () => {
    const secrets = Array.from({ length: 200 }, () => newWebhookSecret());
    expect(new Set(secrets).size).toBe(200);
    for (const s of secrets) expect(s).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  });

  it('any single-character change in the body fails verification', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.json(), fc.string({ unit: 'grapheme-composite', maxLength: 200 })).filter((s) => s.length > 0),
        fc.nat(),
        // One code point, ASCII-heavy; lone surrogates are left out (UTF-8 turns every one into U+FFFD).
        fc
          .oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 0x10ffff }))
          .filter((cp) => cp < 0xd800 || cp > 0xdfff)
          .map((cp) => String.fromCodePoint(cp)),
        (original, index, replacement) => {
          const chars = [...original];
          const i = index % chars.length;
          fc.pre(chars[i] !== replacement);
          chars[i] = replacement;
          const tampered = chars.join('');
          const header = signatureHeader(original, [newSecret, oldSecret], NOW);
          expect(verifyWebhookSignature(original, header, newSecret, { nowSeconds: NOW })).toMatchObject({ ok: true });
          expect(verifyWebhookSignature(tampered, header, [newSecret, oldSecret], { nowSeconds: NOW })).toEqual({ ok: false, reason: 'bad_signature' });
        },
      ),
      { numRuns: 500 },
    );
  });
});
