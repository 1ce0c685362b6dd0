/**
 * A plain object (not null, not an array): what every reply, params object and webhook body
 * is checked against before its fields are read.
 *
 * @example
 * isRecord({}); // true
 * isRecord([]); // false
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
