/**
 * Wallet payment methods → the wallet that pays: six Apple Pay routes (they differ only in how the
 * gateway routes the payment) and Google Pay. Its own module below the others because both the
 * connectors (which form, which card type) and the words shown to customers (a wallet is named by
 * its brand) depend on it.
 */
export const WALLETS: ReadonlyMap<number, 'Apple Pay' | 'Google Pay'> = new Map([
  [9, 'Apple Pay'], // MPGS Apple Pay
  [10, 'Apple Pay'], // CYBS Apple Pay
  [11, 'Apple Pay'], // KNET Debit Apple Pay
  [12, 'Apple Pay'], // KNET Credit Apple Pay
  [13, 'Apple Pay'], // KNET Apple Pay International
  [14, 'Apple Pay'], // AMEX Apple Pay International
  [16, 'Google Pay'],
]);
