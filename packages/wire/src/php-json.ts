/**
 * JSON encoded byte for byte the way PHP's `json_encode($value)` (default flags) does it, so
 * clients written against the real server, some of which compare or parse bytes, keep working.
 *
 * JSON.stringify already matches PHP for quotes, backslashes and control characters
 * (\b \f \n \r \t, else \u00xx in lowercase). PHP differs only in escaping `/` as `\/` and
 * every non-ASCII UTF-16 unit as `\uxxxx` (lowercase; astral characters become surrogate
 * pairs, and U+2028/U+2029, which JSON.stringify leaves raw, are covered too).
 */

// Whole runs, not single characters: one callback per run is ~3x faster on Arabic text.
const NEEDS_ESCAPE = /[/\u0080-\uffff]+/g;

// Escapes of UTF-16 units seen so far; bounded by the 64 Ki units that exist.
const escapes: (string | undefined)[] = new Array<string | undefined>(0x10000);

function escapeRun(run: string): string {
  let out = '';
  for (let i = 0; i < run.length; i++) {
    const unit = run.charCodeAt(i);
    let escaped = escapes[unit];
    if (escaped === undefined) {
      escaped = unit === 0x2f ? '\\/' : '\\u' + unit.toString(16).padStart(4, '0');
      escapes[unit] = escaped;
    }
    out += escaped;
  }
  return out;
}

function bigintError(cause?: unknown): TypeError {
  return new TypeError('phpJsonEncode: bigint values cannot be encoded; format money as a string first', {
    cause,
  });
}

function refuseBigint(this: unknown, key: string, value: unknown): unknown {
  // The replacer sees the value after toJSON ran, so look at the raw property on the holder
  // (for the top level that is a wrapper object with the key '').
  const raw = (this as Record<string, unknown>)[key];
  if (typeof raw === 'bigint') throw bigintError();
  return value;
}

/**
 * Encodes a JSON-compatible value exactly as PHP's `json_encode` with default flags would.
 *
 * Follows JSON.stringify for everything else: `undefined` properties are omitted, `toJSON` is
 * honoured, and non-finite numbers become `null` (PHP would refuse them). Numbers should be
 * integers: PHP writes floats differently (`1.0`, `1.0e+25`), which is why money travels as
 * strings. Lone surrogates come out as `\udxxx` escapes (PHP would reject them).
 *
 * @throws TypeError for bigint values (format money with `formatMoney` first), cycles, or a
 * top-level value JSON cannot represent (`undefined`, a function, a symbol).
 *
 * @example
 * phpJsonEncode({ url: 'http://x/s/1', name: 'محمد' });
 * // '{"url":"http:\\/\\/x\\/s\\/1","name":"\\u0645\\u062d\\u0645\\u062f"}'
 */
export function phpJsonEncode(value: unknown): string {
  let json: string | undefined;
  try {
    // Some libraries install BigInt.prototype.toJSON, which would silently turn money into
    // whatever they chose; only then pay for a replacer that refuses bigints.
    json = Object.hasOwn(BigInt.prototype, 'toJSON') ? JSON.stringify(value, refuseBigint) : JSON.stringify(value);
  } catch (error) {
    // Reword V8's "Do not know how to serialize a BigInt", but not our own replacer's error.
    if (error instanceof TypeError && error.message.includes('BigInt')) throw bigintError(error);
    throw error;
  }
  if (json === undefined) {
    throw new TypeError(`phpJsonEncode: a top-level ${typeof value} has no JSON representation`);
  }
  return json.replace(NEEDS_ESCAPE, escapeRun);
}
