/** Path ids are positive integers; anything else is simply not found. */
export function parseId(raw: string): bigint | undefined {
  return /^[1-9][0-9]{0,18}$/.test(raw) && BigInt(raw) <= 9_223_372_036_854_775_807n ? BigInt(raw) : undefined;
}
