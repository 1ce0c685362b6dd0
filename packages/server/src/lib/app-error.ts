/**
 * One error type for the whole gateway. A code names the failure; the table gives its HTTP
 * status and the numeric `code` Hesabe clients read from the reply (Hesabe's
 * own code where it has one). Routes never build error bodies themselves: the error handler does, from this.
 */
export const ERROR_CODES = {
  /** Undecryptable or unreadable envelope. Identical reply for every cause (no padding oracle). */
  INVALID_REQUEST_DATA: { status: 400, wireCode: 506, message: 'Invalid Request Data' },
  /** Missing, unknown or revoked accessCode. */
  INVALID_MERCHANT: { status: 401, wireCode: 501, message: 'Invalid Merchant' },
  /** Missing, malformed, expired or foreign bearer token. */
  INVALID_TOKEN: { status: 401, wireCode: 500, message: 'Invalid Token' },
  /** Wrong username or password. */
  INVALID_LOGIN: { status: 401, wireCode: 504, message: 'Invalid Merchant Login Credentials' },
  /** One or more fields failed validation; details name each field. */
  VALIDATION_FAILED: { status: 422, wireCode: 422, message: 'The given data was invalid.' },
  /** The Idempotency-Key was used before with a different request. */
  IDEMPOTENCY_MISMATCH: { status: 422, wireCode: 422, message: 'Idempotency-Key was already used with a different request' },
  NOT_FOUND: { status: 404, wireCode: 404, message: 'Request not found, Please verify the request data' },
  /** The request is valid but the resource's state forbids it (e.g. cancelling a paid invoice). */
  CONFLICT: { status: 409, wireCode: 409, message: 'The request conflicts with the current state' },
  RATE_LIMITED: { status: 429, wireCode: 429, message: 'Too many requests' },
  INTERNAL: { status: 500, wireCode: 500, message: 'Internal server error occurred' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Field path (e.g. `invoices.1.amount`) to its messages, Laravel style, as Hesabe replies. */
export type FieldErrorMap = Record<string, string[]>;

export interface AppErrorOptions {
  message?: string;
  fields?: FieldErrorMap;
  cause?: unknown;
  /** Extra response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
  /** A finer reason within the code, for callers that word it themselves (hosted pages). */
  reason?: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly wireCode: number;
  readonly fields: FieldErrorMap | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly reason: string | undefined;
  /** Brand so that checks survive duplicated module copies (tsx + vitest can load twice). */
  readonly isAppError = true;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    const entry = ERROR_CODES[code];
    super(options.message ?? entry.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = entry.status;
    this.wireCode = entry.wireCode;
    this.fields = options.fields;
    this.headers = options.headers;
    this.reason = options.reason;
  }
}

export function isAppError(err: unknown): err is AppError {
  return typeof err === 'object' && err !== null && (err as { isAppError?: unknown }).isAppError === true;
}

/** A validation error for one field, message worded for the merchant's developer. */
export function fieldError(path: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', { message, fields: { [path]: [message] } });
}
