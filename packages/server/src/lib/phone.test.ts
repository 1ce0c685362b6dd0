import { describe, expect, it } from 'vitest';
import { AppError } from './app-error.ts';
import { FieldValidator } from './field-validator.ts';
import { nationalPartOfSearch, parseCustomerMobile, readApiCountryCode, readApiMobileNumber, toInternational } from './phone.ts';

function fields(read: (v: FieldValidator) => unknown): { value: unknown; errors: Record<string, string[]> } {
  const v = new FieldValidator();
  const value = read(v);
  try {
    v.throwIfInvalid();
    return { value, errors: {} };
  } catch (err) {
    return { value, errors: { ...(err as AppError).fields } };
  }
}

describe('API mobile number and country code', () => {
  it('takes exactly 8 digits, without the country code', () => {
    expect(fields((v) => readApiMobileNumber(v, { mobileNumber: '66554433' }))).toEqual({ value: '66554433', errors: {} });
    for (const bad of ['6655443', '665544330', '96566554433', '+96566554433', '6655 4433', '٦٦٥٥٤٤٣٣']) {
      expect(fields((v) => readApiMobileNumber(v, { mobileNumber: bad })).errors).toEqual({
        mobileNumber: ['The mobileNumber field must be a Kuwaiti mobile number of 8 digits, without the country code.'],
      });
    }
    expect(fields((v) => readApiMobileNumber(v, {})).errors).toEqual({ mobileNumber: ['The mobileNumber field is required.'] });
  });

  it('takes "965" or "+965" and stores "965"', () => {
    expect(fields((v) => readApiCountryCode(v, { countryCode: '+965' })).value).toBe('965');
    expect(fields((v) => readApiCountryCode(v, { countryCode: 965 })).value).toBe('965');
    for (const bad of ['00965', '966', '+966']) {
      expect(fields((v) => readApiCountryCode(v, { countryCode: bad })).errors).toEqual({
        countryCode: ['The countryCode field must be "965" or "+965" (Kuwait).'],
      });
    }
  });

  it('dials the stored number with the country code', () => {
    expect(toInternational('66554433')).toBe('96566554433');
  });
});

describe('a mobile number typed on the checkout form', () => {
  it.each([
    ['55551234', '55551234'],
    ['5555 1234', '55551234'],
    ['5555-1234', '55551234'],
    ['+965 5555 1234', '55551234'],
    ['00965 5555 1234', '55551234'],
    ['96555551234', '55551234'],
  ])('accepts %j as %j', (typed, stored) => {
    expect(parseCustomerMobile(typed)).toBe(stored);
  });

  it.each(['5555123', '555512345', '+96655551234', '0096555551234 1', '+9655555123', 'abcdefgh'])('refuses %j', (typed) => {
    expect(parseCustomerMobile(typed)).toBeUndefined();
  });
});

describe('a phone number in a dashboard search', () => {
  it('loses its country code, with at least three digits after it', () => {
    expect(nationalPartOfSearch('+965 5551-2345')).toBe('55512345');
    expect(nationalPartOfSearch('965555')).toBe('555');
    expect(nationalPartOfSearch('96555')).toBeUndefined();
    expect(nationalPartOfSearch('965')).toBeUndefined();
    expect(nationalPartOfSearch('0096555512345')).toBeUndefined();
    expect(nationalPartOfSearch('aisha')).toBeUndefined();
  });
});
