/**
 * Exit codes scripts can rely on (sysexits.h where one fits). Documented in `fawtara --help`
 * and the README; changing one is a breaking change.
 */
export const EXIT = {
  OK: 0,
  /** Anything unexpected (a bug, a server error 500, a disk error). */
  UNEXPECTED: 1,
  /** `import` created some invoices and refused some rows (see the failed-rows file). */
  PARTIAL: 2,
  /** EX_USAGE: bad arguments or flags, unknown command, unreadable input file. */
  USAGE: 64,
  /** EX_DATAERR: the input was refused — validation (by the server or locally), not found, conflict, undecryptable data. */
  DATA: 65,
  /** EX_UNAVAILABLE: the server could not be reached (or answered 502/503/504 or 429). */
  UNAVAILABLE: 69,
  /** EX_NOPERM: login or credentials refused. */
  AUTH: 77,
  /** EX_CONFIG: a bad environment variable or flag value, or incomplete credentials. */
  CONFIG: 78,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The table printed by `fawtara --help`. */
export const EXIT_CODES_HELP = `Exit codes:
  0   success
  1   unexpected error
  2   partial success: import created some invoices and refused some rows
  64  usage error (bad arguments, unknown command, unreadable file)
  65  bad input data: refused by validation, not found, conflict, undecryptable
  69  server unreachable (or 502/503/504, or rate limited)
  77  authentication failed (wrong username, password or API credentials)
  78  configuration error (bad environment variable or flag value, incomplete credentials)`;

/**
 * An error the CLI reports itself: its message goes to stderr (no stack) and the process exits
 * with its code. `fields` (field → messages) are printed one per line.
 */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly fields?: Record<string, string[]>,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(EXIT.USAGE, message);
export const dataError = (message: string, fields?: Record<string, string[]>) => new CliError(EXIT.DATA, message, fields);
export const configError = (message: string) => new CliError(EXIT.CONFIG, message);
