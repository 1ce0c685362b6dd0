import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import { dataError } from '../exit-codes.ts';
import { createOutput, table } from '../output.ts';
import { databaseOptions, serverConfig, serverRuntime, type ServerFlags } from '../server-config.ts';

/**
 * `fawtara merchant …`: operator commands on the database itself (not over the API), like
 * `npm run merchant`. With the embedded database the folder must not be in use by a server.
 */
export function registerMerchantCommands(program: Command): void {
  const merchant = program
    .command('merchant')
    .summary('create and administer merchants (on the database, not over the API)')
    .description(
      'Operator commands on the configured database (DATABASE_URL, or the embedded one in DATA_DIR /\n' +
        '--data-dir, which must not be in use by a running server). Secrets are printed once.',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ fawtara merchant create --name "Acme Trading" --username acme --methods 1,2,7
  $ fawtara merchant list --json
  $ fawtara merchant rotate-secret 123456
  $ fawtara merchant set-arabic-digits 123456 arab`,
    );

  const create = merchant
    .command('create')
    .summary('create a merchant; prints its credentials once')
    .description(
      'Creates a merchant with fresh random credentials (merchant code, access code, secret key, IV)\nand one panel user, and prints them once: store them now.',
    )
    .requiredOption('--name <name>', 'business name')
    .requiredOption('--username <username>', 'panel / API login (unique, case-insensitive)')
    .option('--password <password>', 'at least 10 characters (default: 20 random characters, printed)')
    .option('--email <email>', 'contact e-mail')
    .option('--methods <codes>', 'enabled payment method codes, e.g. 1,2,7 (default 1,2)', parseMethods)
    .option('--time-zone <zone>', 'IANA time zone for expiry dates (default Asia/Kuwait)')
    .addOption(new Option('--language <language>', 'default invoice language').choices(['en', 'ar']))
    .addOption(new Option('--arabic-digits <digits>', 'digits on Arabic payment pages (default latn)').choices(['latn', 'arab']));
  databaseOptions(create)
    .option('--json', 'print the credentials as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ fawtara merchant create --name "Acme Trading" --username acme
  $ fawtara merchant create --name "مؤسسة النور" --username alnoor --language ar --arabic-digits arab --json`,
    )
    .action(
      async (
        flags: ServerFlags & {
          name: string;
          username: string;
          password?: string;
          email?: string;
          methods?: number[];
          timeZone?: string;
          language?: 'en' | 'ar';
          arabicDigits?: 'latn' | 'arab';
          json?: boolean;
        },
      ) => {
        const { createMerchant } = await serverRuntime();
        const issued = await createMerchant(await serverConfig(flags), {
          name: flags.name,
          username: flags.username,
          ...(flags.password !== undefined ? { password: flags.password } : {}),
          ...(flags.email !== undefined ? { email: flags.email } : {}),
          ...(flags.methods ? { paymentMethods: flags.methods } : {}),
          ...(flags.timeZone !== undefined ? { timeZone: flags.timeZone } : {}),
          ...(flags.language ? { defaultLanguage: flags.language } : {}),
          ...(flags.arabicDigits ? { pageDigits: flags.arabicDigits } : {}),
        });
        const { id: _id, ...shown } = issued;
        createOutput(flags).data(shown, () =>
          [
            `Merchant "${issued.name}" created. These secrets are shown once; store them now.`,
            `  merchant code  ${issued.merchantCode}`,
            `  access code    ${issued.accessCode}`,
            `  secret key     ${issued.secretKey}`,
            `  IV             ${issued.iv}`,
            `  panel user     ${issued.username}`,
            `  password       ${issued.password}`,
            '',
            'For the API commands (fawtara invoice …, fawtara import …):',
            `  export FAWTARA_MERCHANT_CODE=${issued.merchantCode} FAWTARA_ACCESS_CODE=${issued.accessCode}`,
            `  export FAWTARA_SECRET_KEY=${issued.secretKey} FAWTARA_IV=${issued.iv}`,
            `  export FAWTARA_USERNAME=${shellQuote(issued.username)} FAWTARA_PASSWORD=${shellQuote(issued.password)}`,
          ].join('\n'),
        );
      },
    );

  const list = merchant
    .command('list')
    .summary('list merchants (never a secret)')
    .description('Lists every merchant: code, name, sandbox or live, enabled payment methods, Arabic digits.');
  databaseOptions(list)
    .option('--json', 'print the list as JSON')
    .addHelpText('after', "\nExamples:\n  $ fawtara merchant list\n  $ fawtara merchant list --json | jq -r '.[].code'")
    .action(async (flags: ServerFlags & { json?: boolean }) => {
      const merchants = await (await serverRuntime()).listMerchants(await serverConfig(flags));
      createOutput(flags).data(merchants, () =>
        merchants.length === 0
          ? 'No merchants.'
          : table(
              ['CODE', 'NAME', 'KIND', 'METHODS', 'ARABIC DIGITS'],
              merchants.map((m) => [m.code, m.name, m.sandbox ? 'sandbox' : 'live', m.paymentMethods.join(','), m.arabicDigits]),
            ),
      );
    });

  const rotate = merchant
    .command('rotate-secret')
    .summary("revoke a merchant's API credentials and issue new ones")
    .description('Revokes the access code, secret key and IV of a merchant at once and prints new ones (shown once).')
    .argument('<merchant-code>', 'six-digit merchant code');
  databaseOptions(rotate)
    .option('--json', 'print the new credentials as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ fawtara merchant rotate-secret 123456\n  $ fawtara merchant rotate-secret 842217 --json   # before going to production',
    )
    .action(async (code: string, flags: ServerFlags & { json?: boolean }) => {
      const issued = await (await serverRuntime()).rotateMerchantSecret(await serverConfig(flags), code);
      const { id: _id, ...shown } = issued;
      createOutput(flags).data(shown, () =>
        [
          `New credentials for ${issued.merchantCode} (${issued.name}); the old ones are revoked.`,
          `  access code    ${issued.accessCode}`,
          `  secret key     ${issued.secretKey}`,
          `  IV             ${issued.iv}`,
        ].join('\n'),
      );
    });

  const digits = merchant
    .command('set-arabic-digits')
    .summary('Latin or Arabic-Indic digits on Arabic payment pages')
    .description("Chooses the digits of a merchant's Arabic payment pages: latn (12.500, the default) or arab (١٢٫٥٠٠).")
    .argument('<merchant-code>', 'six-digit merchant code')
    .addArgument(new Argument('<digits>', 'latn or arab').choices(['latn', 'arab']));
  databaseOptions(digits)
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExamples:\n  $ fawtara merchant set-arabic-digits 123456 arab\n  $ fawtara merchant set-arabic-digits 123456 latn')
    .action(async (code: string, value: 'latn' | 'arab', flags: ServerFlags & { json?: boolean }) => {
      if (!(await (await serverRuntime()).setMerchantArabicDigits(await serverConfig(flags), code, value))) throw dataError(`No merchant with code ${code}.`);
      createOutput(flags).data(
        { merchantCode: code, arabicDigits: value },
        () => `Merchant ${code}: Arabic payment pages now show ${value === 'arab' ? 'Arabic-Indic (٠١٢…)' : 'Latin (012…)'} digits.`,
      );
    });
}

function parseMethods(value: string): number[] {
  const parts = value.split(',').map((m) => m.trim());
  if (parts.some((p) => !/^\d{1,3}$/.test(p))) throw new InvalidArgumentError('expected payment method codes separated by commas, e.g. 1,2,7');
  return parts.map(Number);
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
