import { AuthenticationError, ConnectionError, FawtaraError, RateLimitError, ServerError, ValidationError } from '@fawtara/sdk';
import { CliError, EXIT, type ExitCode } from './exit-codes.ts';

/**
 * What a failure means for the exit code, and the message for stderr: one place maps the SDK's
 * error family, the server's AppError (merchant commands) and the CLI's own errors.
 */
export function exitCodeOf(err: unknown): { code: ExitCode; message: string } {
  if (err instanceof CliError) return { code: err.exitCode, message: withFields(err.message, err.fields) };
  if (err instanceof FawtaraError) {
    const id = err.requestId ? ` (request id ${err.requestId})` : '';
    if (err instanceof AuthenticationError)
      return {
        code: EXIT.AUTH,
        message: `Authentication failed: ${err.message}${id}. Check the credentials (FAWTARA_USERNAME, FAWTARA_PASSWORD, FAWTARA_ACCESS_CODE, …).`,
      };
    if (err instanceof ConnectionError) {
      const detail = innermostMessage(err);
      return { code: EXIT.UNAVAILABLE, message: `Server unreachable: ${err.message}${detail && !err.message.includes(detail) ? ` (${detail})` : ''}` };
    }
    if (err instanceof RateLimitError)
      return { code: EXIT.UNAVAILABLE, message: `Rate limited: ${err.message}${err.retryAfter !== undefined ? `; retry in ${err.retryAfter} s` : ''}${id}` };
    if (err instanceof ServerError) {
      const unavailable = err.status === 502 || err.status === 503 || err.status === 504;
      return { code: unavailable ? EXIT.UNAVAILABLE : EXIT.UNEXPECTED, message: `Server error ${err.status ?? ''}: ${err.message}${id}` };
    }
    if (err instanceof ValidationError) return { code: EXIT.DATA, message: withFields(`Refused: ${err.message}${id}`, err.fields) };
    if (err.code === 'not_found' || err.code === 'conflict' || err.code === 'invalid_request')
      return { code: EXIT.DATA, message: `Refused: ${err.message}${id}` };
    return { code: EXIT.UNEXPECTED, message: `${err.message}${id}` };
  }
  if (isServerError(err)) {
    // The server's own errors (merchant commands run in this process).
    const code = err.status === 404 || err.status === 409 || err.status === 422 ? EXIT.DATA : EXIT.UNEXPECTED;
    return { code, message: withFields(err.message, err.fields) };
  }
  const errno = errnoOf(err);
  if (errno && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'].includes(errno)) {
    return { code: EXIT.UNAVAILABLE, message: `Unreachable: ${err instanceof Error ? err.message : String(err)}` };
  }
  return { code: EXIT.UNEXPECTED, message: `Error: ${err instanceof Error ? err.message : String(err)}` };
}

/**
 * The server's AppError, recognised by its brand rather than imported: the server is an optional
 * peer of the CLI, and the client commands must load without it.
 */
function isServerError(err: unknown): err is Error & { status: number; fields?: Record<string, string[]> } {
  return err instanceof Error && (err as { isAppError?: unknown }).isAppError === true && typeof (err as { status?: unknown }).status === 'number';
}

function withFields(message: string, fields: Record<string, string[]> | undefined): string {
  const entries = Object.entries(fields ?? {});
  if (entries.length === 0) return message;
  return `${message}\n${entries.map(([field, messages]) => `  ${field}: ${messages.join(' ')}`).join('\n')}`;
}

function errnoOf(err: unknown): string | undefined {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The message of the deepest cause (undici hides "connect ECONNREFUSED …" or "bad port" there). */
function innermostMessage(err: unknown): string | undefined {
  let message: string | undefined;
  for (let e = err, depth = 0; e instanceof Error && depth < 6; depth++) {
    message = e.message;
    e = e.cause;
  }
  return message;
}
