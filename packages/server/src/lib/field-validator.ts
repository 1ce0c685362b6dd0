import { EMAIL_MAX_LENGTH, isEmailAddress, URL_MAX_LENGTH } from '@fawtara/contract';
import { obviousProblem } from './address-guard.ts';
import { formatMoney, MoneyError, parseMoney } from '@fawtara/wire';
import { AppError, type FieldErrorMap } from './app-error.ts';
import { isCalendarDate } from './merchant-time.ts';

/**
 * Collects field errors across a whole payload, so a merchant sees every problem at once and the
 * reply names each field by its path (`invoices.1.amount`), as Hesabe's Laravel backend does.
 * Readers return `undefined` after recording an error; callers check `throwIfInvalid()` before
 * using any value.
 */
export class FieldValidator {
  private readonly errors: FieldErrorMap;
  private readonly prefix: string;

  // Null prototype: field names come from clients, and `errors['constructor']` must not be Object.
  constructor(prefix = '', errors: FieldErrorMap = Object.create(null) as FieldErrorMap) {
    this.prefix = prefix;
    this.errors = errors;
  }

  /** A validator for a nested object whose errors land in the same map. */
  nested(segment: string | number): FieldValidator {
    return new FieldValidator(this.path(String(segment)), this.errors);
  }

  path(field: string): string {
    return this.prefix ? `${this.prefix}.${field}` : field;
  }

  fail(field: string, message: string): undefined {
    const key = this.path(field);
    (this.errors[key] ??= []).push(message);
    return undefined;
  }

  hasErrors(): boolean {
    return Object.keys(this.errors).length > 0;
  }

  /** Throws VALIDATION_FAILED naming the first problem and how many more there are. */
  throwIfInvalid(): void {
    const keys = Object.keys(this.errors);
    if (keys.length === 0) return;
    const first = this.errors[keys[0]!]![0]!;
    const more = keys.reduce((n, k) => n + this.errors[k]!.length, 0) - 1;
    const message = more > 0 ? `${first} (and ${more} more error${more > 1 ? 's' : ''})` : first;
    throw new AppError('VALIDATION_FAILED', { message, fields: this.errors });
  }

  private present(obj: Record<string, unknown>, field: string): boolean {
    const v = obj[field];
    return v !== undefined && v !== null && v !== '';
  }

  private missing(obj: Record<string, unknown>, field: string, required: boolean): boolean {
    if (this.present(obj, field)) return false;
    if (required) this.fail(field, `The ${field} field is required.`);
    return true;
  }

  /** A string (numbers are accepted and stringified, since clients send both). Trimmed. */
  string(obj: Record<string, unknown>, field: string, opts: { required?: boolean; max?: number } = {}): string | undefined {
    if (this.missing(obj, field, opts.required ?? false)) return undefined;
    const raw = obj[field];
    if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isFinite(raw))) {
      return this.fail(field, `The ${field} field must be a string.`);
    }
    const value = String(raw).trim();
    // PostgreSQL text cannot hold NUL, and no field has a use for control characters (line breaks
    // and tabs aside): refuse them here rather than fail in the database.
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) {
      return this.fail(field, `The ${field} field must not contain control characters.`);
    }
    if (value === '') {
      if (opts.required) return this.fail(field, `The ${field} field is required.`);
      return undefined;
    }
    const max = opts.max ?? 255;
    if (value.length > max) return this.fail(field, `The ${field} field must not be longer than ${max} characters.`);
    return value;
  }

  /** One of a set of codes; accepts "1" or 1. */
  code<T extends string>(obj: Record<string, unknown>, field: string, allowed: readonly T[], opts: { required?: boolean; names?: string } = {}): T | undefined {
    if (this.missing(obj, field, opts.required ?? false)) return undefined;
    const raw = obj[field];
    const value = typeof raw === 'number' && Number.isInteger(raw) ? String(raw) : raw;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value.trim())) return value.trim() as T;
    const list = allowed.map((a) => `"${a}"`).join(', ');
    return this.fail(field, `The ${field} field must be one of ${list}${opts.names ? ` (${opts.names})` : ''}.`);
  }

  /**
   * An amount in KWD as bigint fils: string or number with at most three decimals, never
   * rounded. `min`/`max` are inclusive bounds in fils.
   */
  money(obj: Record<string, unknown>, field: string, opts: { required?: boolean; min?: bigint; max?: bigint } = {}): bigint | undefined {
    if (this.missing(obj, field, opts.required ?? false)) return undefined;
    let fils: bigint;
    try {
      fils = parseMoney(obj[field]);
    } catch (err) {
      if (err instanceof MoneyError) return this.fail(field, `The ${field} field ${err.message}.`);
      throw err;
    }
    const min = opts.min ?? 1n;
    if (fils < min) return this.fail(field, `The ${field} field must be at least ${formatMoney(min)}.`);
    if (opts.max !== undefined && fils > opts.max) return this.fail(field, `The ${field} field must not be greater than ${formatMoney(opts.max)}.`);
    return fils;
  }

  /** A positive whole number; accepts "3" or 3. */
  positiveInt(obj: Record<string, unknown>, field: string, opts: { required?: boolean; max?: number } = {}): number | undefined {
    if (this.missing(obj, field, opts.required ?? false)) return undefined;
    const raw = obj[field];
    const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
    if (!/^[1-9][0-9]{0,8}$/.test(text)) return this.fail(field, `The ${field} field must be a whole number greater than zero.`);
    const n = Number(text);
    if (opts.max !== undefined && n > opts.max) return this.fail(field, `The ${field} field must not be greater than ${opts.max}.`);
    return n;
  }

  /** A real calendar date `YYYY-MM-DD`, optionally not before `notBefore` (same format). */
  date(obj: Record<string, unknown>, field: string, opts: { required?: boolean; notBefore?: string } = {}): string | undefined {
    if (this.missing(obj, field, opts.required ?? false)) return undefined;
    const raw = obj[field];
    if (typeof raw !== 'string' || !isCalendarDate(raw.trim())) {
      return this.fail(field, `The ${field} field must be a real date in the format YYYY-MM-DD.`);
    }
    const value = raw.trim();
    if (opts.notBefore && value < opts.notBefore) {
      return this.fail(field, `The ${field} field must be a date on or after ${opts.notBefore} (today in the merchant's time zone).`);
    }
    return value;
  }

  email(obj: Record<string, unknown>, field: string, opts: { required?: boolean; requiredReason?: string } = {}): string | undefined {
    if (!this.present(obj, field)) {
      if (opts.required) this.fail(field, `The ${field} field is required${opts.requiredReason ? ` ${opts.requiredReason}` : ''}.`);
      return undefined;
    }
    const value = this.string(obj, field, { max: EMAIL_MAX_LENGTH });
    if (value === undefined) return undefined;
    if (!isEmailAddress(value)) return this.fail(field, `The ${field} field must be a valid email address.`);
    return value;
  }

  /** An absolute http(s) URL. */
  httpUrl(obj: Record<string, unknown>, field: string, opts: { required?: boolean } = {}): string | undefined {
    if (this.missing(obj, field, opts.required ?? false)) return undefined;
    const value = this.string(obj, field, { max: URL_MAX_LENGTH });
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return this.fail(field, `The ${field} field must be a valid http or https URL.`);
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
      return this.fail(field, `The ${field} field must be a valid http or https URL.`);
    }
    return url.toString();
  }

  /**
   * An http(s) URL the gateway may call (a webhook): unless `allowPrivate`, a literal private,
   * loopback or link-local address or a `localhost` name is refused here. Names are resolved,
   * and refused if private, when the gateway connects.
   */
  publicHttpUrl(obj: Record<string, unknown>, field: string, opts: { allowPrivate: boolean }): string | undefined {
    const url = this.httpUrl(obj, field);
    const problem = url !== undefined && !opts.allowPrivate ? obviousProblem(url) : null;
    if (problem) return this.fail(field, `The ${field} URL is not allowed: ${problem}. Webhooks go only to public addresses.`);
    return url;
  }
}

/** Narrow an unknown JSON value to a plain object, or undefined. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * A string or finite number as text, else undefined. Never call String() on client JSON:
 * `{"toString": []}` makes it throw.
 */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
