/**
 * Payment method codes (`allocatePayType`, `payment_method`). 15 (subscription)
 * is a checkout mode, not a method a customer picks, so invoices do not accept it.
 */
export const PAYMENT_METHODS: Readonly<Record<number, string>> = {
  1: 'KNET',
  2: 'MPGS',
  5: 'CYBS',
  7: 'AMEX',
  8: 'MPGS AMEX',
  9: 'MPGS Apple Pay',
  10: 'CYBS Apple Pay',
  11: 'KNET Debit Apple Pay',
  12: 'KNET Credit Apple Pay',
  13: 'KNET Apple Pay International',
  14: 'AMEX Apple Pay International',
  16: 'Google Pay',
};

export const PAYMENT_METHOD_CODES: readonly number[] = Object.keys(PAYMENT_METHODS).map(Number);
