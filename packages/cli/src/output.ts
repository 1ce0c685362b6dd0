/**
 * Where things go: data to stdout (one JSON document with --json, text otherwise); notes,
 * progress and errors to stderr. Commands print through this; only progress.ts, main's error
 * line, serve/worker's own lines, the stdin prompt and `decrypt --json` (the plaintext byte for
 * byte) write to the streams themselves.
 */

/** JSON with bigints as strings (money in fils, ids) and 2-space indentation. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

export interface Output {
  readonly json: boolean;
  /** Prints the command's data: `value` as JSON with --json, else the text `human()` returns. */
  data(value: unknown, human: () => string): void;
  /** A message for the person at the terminal (stderr), never data. */
  note(message: string): void;
}

export function createOutput(opts: { json?: boolean }, streams: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Output {
  const json = opts.json === true;
  return {
    json,
    data(value, human) {
      const text = json ? toJson(value) : human();
      if (text !== '') streams.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    note(message) {
      streams.stderr.write(`${message}\n`);
    },
  };
}

/** Left-aligned columns for human-readable tables. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(c)))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Display width, roughly: combining marks count zero (Arabic diacritics), everything else one. */
function width(text: string): number {
  return [...text.replace(/\p{M}/gu, '')].length;
}

/**
 * Re-indents valid JSON text without parsing values, so large integers, `\/` escapes and
 * `\uXXXX` sequences are shown exactly as they travelled.
 */
export function indentJson(text: string, indent = '  '): string {
  let out = '';
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i += 1;
      } else if (c === '"') {
        inString = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        inString = true;
        out += c;
        break;
      case '{':
      case '[': {
        // Empty containers stay on one line.
        let j = i + 1;
        while (j < text.length && /\s/.test(text[j]!)) j += 1;
        if (text[j] === (c === '{' ? '}' : ']')) {
          out += c + text[j];
          i = j;
        } else {
          depth += 1;
          out += `${c}\n${indent.repeat(depth)}`;
        }
        break;
      }
      case '}':
      case ']':
        depth -= 1;
        out += `\n${indent.repeat(depth)}${c}`;
        break;
      case ',':
        out += `,\n${indent.repeat(depth)}`;
        break;
      case ':':
        out += ': ';
        break;
      default:
        if (!/\s/.test(c)) out += c;
    }
  }
  return out;
}
