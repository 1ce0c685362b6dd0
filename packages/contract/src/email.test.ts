import { describe, expect, it } from 'vitest';
import { EMAIL_MAX_LENGTH, EMAIL_PATTERN, isEmailAddress } from './email.ts';

describe('the e-mail rule', () => {
  it.each(['aisha@example.com', 'a.b+tag@mail.example.co', 'نورة@مثال.كويت'])('accepts %j', (address) => {
    expect(isEmailAddress(address)).toBe(true);
  });

  const refused = [
    ['not-an-email', 'sara@', '@example.com', 'a@b', 'a b@example.com', 'a@@example.com'],
    // Text a mail library would read as a display name or as more than one address.
    ['Eve <eve@example.com>', '<eve@example.com>', 'a@example.com, b@example.com', 'a,b@example.com', '"a"@example.com'],
    ['a;b@example.com', 'a(b)@example.com', 'a[b]@example.com', 'a\\b@example.com', 'a:b@example.com'],
  ].flat();
  it.each(refused)('refuses %j', (address) => {
    expect(isEmailAddress(address)).toBe(false);
  });

  it(`refuses addresses longer than ${EMAIL_MAX_LENGTH} characters`, () => {
    const local = 'a'.repeat(64);
    const domain = (n: number) => `${'b'.repeat(n)}.com`;
    expect(isEmailAddress(`${local}@${domain(EMAIL_MAX_LENGTH - 69)}`)).toBe(true);
    expect(isEmailAddress(`${local}@${domain(EMAIL_MAX_LENGTH - 68)}`)).toBe(false);
  });

  it('is the pattern the schema documents', () => {
    const pattern = new RegExp(EMAIL_PATTERN);
    for (const address of ['aisha@example.com', 'a,b@example.com', 'sara@']) expect(pattern.test(address)).toBe(isEmailAddress(address));
  });
});
