import { createCodec, EnvelopeError, type Codec } from '@fawtara/wire';
import type { Command } from 'commander';
import { SANDBOX_CREDENTIALS } from '../connection.ts';
import { configError, dataError, usageError } from '../exit-codes.ts';
import { createOutput, indentJson } from '../output.ts';

interface KeyFlags {
  secretKey?: string;
  iv?: string;
  json?: boolean;
}

/** `fawtara encrypt` / `fawtara decrypt`: the Hesabe envelope by hand, for debugging payloads. */
export function registerCryptoCommands(program: Command, env: NodeJS.ProcessEnv = process.env): void {
  program
    .command('encrypt')
    .summary('encrypt a payload with a merchant key (AES-256-CBC, hex)')
    .description(
      "Encrypts text (normally a JSON payload) exactly as given with the merchant's secret key and IV\n" +
        '(the Hesabe envelope: AES-256-CBC, padding to 32-byte blocks, lowercase hex) and prints the hex;\n' +
        'with --json prints the request body {"data": "<hex>"}. Reads stdin when no text is given or it is "-".\n' +
        'Keys: --secret-key/--iv, else FAWTARA_SECRET_KEY/FAWTARA_IV, else the public sandbox keys.',
    )
    .argument('[text]', 'the plaintext (default: stdin)')
    .option('--secret-key <key>', "the merchant's 32-character secret key (env FAWTARA_SECRET_KEY)")
    .option('--iv <iv>', "the merchant's 16-character IV (env FAWTARA_IV)")
    .option('--json', 'print {"data": "<hex>"}, a request body')
    .addHelpText(
      'after',
      `
Examples:
  $ fawtara encrypt '{"merchantCode":"842217"}'
  0e7898bd7464d0c402fe8a949d9cbf9b826ccb9b83b56fa003373275f1947a65
  $ fawtara encrypt --json < payload.json | curl -s localhost:3000/api/v1/invoice \\
      -H 'content-type: application/json' -H "accessCode: $FAWTARA_ACCESS_CODE" \\
      -H "authorization: Bearer $TOKEN" -d @-`,
    )
    .action(async (text: string | undefined, flags: KeyFlags) => {
      const out = createOutput(flags);
      const plaintext = text === undefined || text === '-' ? await readStdin() : text;
      const hex = codecFrom(flags, env, out.note).encrypt(plaintext);
      out.data({ data: hex }, () => hex);
    });

  program
    .command('decrypt')
    .summary('decrypt a request or reply and print its JSON')
    .description(
      "Decrypts the hex of a request or a reply with the merchant's secret key and IV and prints the\n" +
        'plaintext (JSON indented, values exactly as sent). Accepts the bare hex, a JSON body {"data": …} or\n' +
        '{"response": …}, or a URL with ?data=…; reads stdin when nothing is given or it is "-".\n' +
        'With --json prints the plaintext as sent (one JSON document).\n' +
        'Keys: --secret-key/--iv, else FAWTARA_SECRET_KEY/FAWTARA_IV, else the public sandbox keys.',
    )
    .argument('[ciphertext]', 'hex, {"data": hex}, {"response": hex} or a URL with ?data= (default: stdin)')
    .option('--secret-key <key>', "the merchant's 32-character secret key (env FAWTARA_SECRET_KEY)")
    .option('--iv <iv>', "the merchant's 16-character IV (env FAWTARA_IV)")
    .option('--json', 'print the plaintext JSON as sent')
    .addHelpText(
      'after',
      `
Examples:
  $ fawtara decrypt 0e7898bd7464d0c402fe8a949d9cbf9b826ccb9b83b56fa003373275f1947a65
  {
    "merchantCode": "842217"
  }
  $ curl -s … | fawtara decrypt --secret-key "$FAWTARA_SECRET_KEY" --iv "$FAWTARA_IV"
  $ fawtara decrypt '{"response":"60a8f624…"}' --json | jq .response`,
    )
    .action(async (input: string | undefined, flags: KeyFlags) => {
      const out = createOutput(flags);
      const raw = input === undefined || input === '-' ? await readStdin() : input;
      const hex = ciphertextOf(raw);
      let plaintext: string;
      try {
        plaintext = codecFrom(flags, env, out.note).decrypt(hex);
      } catch (err) {
        if (err instanceof EnvelopeError) throw dataError('Cannot decrypt: not a ciphertext of this key and IV (wrong key or IV, or damaged hex).');
        throw err;
      }
      let isJson = true;
      try {
        JSON.parse(plaintext);
      } catch {
        isJson = false;
      }
      if (out.json) {
        process.stdout.write(`${isJson ? plaintext : JSON.stringify(plaintext)}\n`);
      } else {
        out.data(undefined, () => (isJson ? indentJson(plaintext) : plaintext));
      }
    });
}

function codecFrom(flags: KeyFlags, env: NodeJS.ProcessEnv, note: (message: string) => void): Codec {
  const secretKey = flags.secretKey ?? (env.FAWTARA_SECRET_KEY || undefined);
  const iv = flags.iv ?? (env.FAWTARA_IV || undefined);
  if (secretKey === undefined && iv === undefined) {
    note(
      `Using the public sandbox key and IV (merchant ${SANDBOX_CREDENTIALS.merchantCode}); pass --secret-key and --iv, or set FAWTARA_SECRET_KEY and FAWTARA_IV, for another merchant.`,
    );
    return createCodec({ secretKey: SANDBOX_CREDENTIALS.secretKey, iv: SANDBOX_CREDENTIALS.iv });
  }
  if (secretKey === undefined || iv === undefined)
    throw configError(
      `Configuration error: ${secretKey === undefined ? 'the secret key (--secret-key or FAWTARA_SECRET_KEY)' : 'the IV (--iv or FAWTARA_IV)'} is missing; give both or neither (neither: the sandbox keys).`,
    );
  try {
    return createCodec({ secretKey, iv });
  } catch (err) {
    throw configError(`Configuration error: ${err instanceof Error ? err.message : String(err)}.`);
  }
}

/** The hex inside whatever was pasted: bare hex, a JSON body, or a URL / query string with data=. */
function ciphertextOf(raw: string): string {
  const text = raw.trim();
  if (text === '') throw usageError('Nothing to decrypt: give the hex (or a JSON body) as an argument or on stdin.');
  if (text.startsWith('{')) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw dataError('The input starts with "{" but is not valid JSON.');
    }
    const record = body as Record<string, unknown>;
    const hex = record.data ?? record.response;
    if (typeof hex !== 'string') throw dataError('The JSON has no "data" or "response" string to decrypt.');
    return hex.trim();
  }
  const query = /[?&]data=([0-9a-fA-F]+)/.exec(text);
  if (query) return query[1]!;
  return text.replace(/^"|"$/g, '');
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Reading from stdin (end with Ctrl-D)…\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  // A trailing line break from `echo` or a heredoc is not part of the payload.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
