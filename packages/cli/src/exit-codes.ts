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

/** Every code's line in `fawtara --help` (the type makes sure none is left out). */
const MEANINGS: Record<ExitCode, string> = {
  [EXIT.OK]: 'success',
  [EXIT.UNEXPECTED]: 'unexpected error',
  [EXIT.PARTIAL]: 'partial success: import created some invoices and refused some rows',
  [EXIT.USAGE]: 'usage error (bad arguments, unknown command, unreadable file)',
  [EXIT.DATA]: 'bad input data: refused by validation, not found, conflict, undecryptable',
  [EXIT.UNAVAILABLE]: 'server unreachable (or 502/503/504, or rate limited)',
  [EXIT.AUTH]: 'authentication failed (wrong username, password or API credentials)',
  [EXIT.CONFIG]: 'configuration error (bad environment variable or flag value, incomplete credentials)',
};

/** The table printed by `fawtara --help`, in code order. */
export const EXIT_CODES_HELP = `Exit codes:\n${Object.entries(MEANINGS)
  .map(([code, meaning]) => `  ${code.padEnd(4)}${meaning}`)
  .join('\n')}`;

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
