import { parseArgs } from 'node:util';
import { ConfigError, createMerchant, isAppError, listMerchants, loadConfig, rotateMerchantSecret, setMerchantArabicDigits } from '../runtime.ts';

/**
 * `npm run merchant -- <create|list|rotate-secret|set-arabic-digits>`: operator commands on the
 * configured database (DATABASE_URL, or the embedded one in DATA_DIR — which must not be in use
 * by a server). Secrets are printed once, to stdout only. `fawtara merchant …` does the same
 * through the same runtime functions.
 */
const USAGE = `Usage:
  npm run merchant -- create --name <business name> --username <panel user> [--password <pw>] [--email <e-mail>] [--methods 1,2,7] [--time-zone Asia/Kuwait] [--language en|ar] [--arabic-digits latn|arab]
  npm run merchant -- list
  npm run merchant -- set-arabic-digits <merchant code> latn|arab   (digits on Arabic payment pages)
  npm run merchant -- rotate-secret <merchant code>`;

async function run(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return verb ? 0 : 64;
  }
  const config = loadConfig();
  if (verb === 'create') {
    const { values } = parseArgs({
      args: rest,
      options: {
        name: { type: 'string' },
        username: { type: 'string' },
        password: { type: 'string' },
        email: { type: 'string' },
        methods: { type: 'string' },
        'time-zone': { type: 'string' },
        language: { type: 'string' },
        'arabic-digits': { type: 'string' },
      },
    });
    const digits = values['arabic-digits'];
    if (digits !== undefined && digits !== 'latn' && digits !== 'arab') throw new UsageError('--arabic-digits must be latn or arab');
    const methods = values.methods?.split(',').map((m) => Number(m.trim()));
    if (values.language !== undefined && values.language !== 'en' && values.language !== 'ar') throw new UsageError('--language must be en or ar');
    const issued = await createMerchant(config, {
      name: values.name ?? '',
      username: values.username ?? '',
      ...(values.password ? { password: values.password } : {}),
      ...(values.email ? { email: values.email } : {}),
      ...(methods ? { paymentMethods: methods } : {}),
      ...(values['time-zone'] ? { timeZone: values['time-zone'] } : {}),
      ...(values.language ? { defaultLanguage: values.language as 'en' | 'ar' } : {}),
      ...(digits ? { pageDigits: digits } : {}),
    });
    process.stdout.write(
      [
        `Merchant "${issued.name}" created. These secrets are shown once; store them now.`,
        `  merchant code  ${issued.merchantCode}`,
        `  access code    ${issued.accessCode}`,
        `  secret key     ${issued.secretKey}`,
        `  IV             ${issued.iv}`,
        `  panel user     ${issued.username}`,
        `  password       ${issued.password}`,
        '',
      ].join('\n'),
    );
    return 0;
  }
  if (verb === 'list') {
    for (const m of await listMerchants(config)) {
      process.stdout.write(`${m.code}\t${m.name}\t${m.sandbox ? 'sandbox' : 'live'}\tmethods ${m.paymentMethods.join(',')}\tarabic digits ${m.arabicDigits}\n`);
    }
    return 0;
  }
  if (verb === 'set-arabic-digits') {
    const [code, digits] = rest;
    if (!code || (digits !== 'latn' && digits !== 'arab')) throw new UsageError('set-arabic-digits needs a merchant code and latn or arab');
    if (!(await setMerchantArabicDigits(config, code, digits))) throw new UsageError(`no merchant with code ${code}`);
    process.stdout.write(`Merchant ${code}: Arabic payment pages now show ${digits === 'arab' ? 'Arabic-Indic (٠١٢…)' : 'Latin (012…)'} digits.\n`);
    return 0;
  }
  if (verb === 'rotate-secret') {
    const code = rest[0];
    if (!code) throw new UsageError('rotate-secret needs a merchant code');
    const issued = await rotateMerchantSecret(config, code);
    process.stdout.write(
      [`New credentials for ${issued.merchantCode} (${issued.name}); the old ones are revoked.`, `  access code    ${issued.accessCode}`, `  secret key     ${issued.secretKey}`, `  IV             ${issued.iv}`, ''].join('\n'),
    );
    return 0;
  }
  throw new UsageError(`unknown command "${verb}"`);
}

class UsageError extends Error {}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`${err.message}\n${USAGE}\n`);
      process.exit(64);
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(78);
    }
    if (isAppError(err)) {
      const fields = err.fields ? Object.values(err.fields).flat().join(' ') : '';
      process.stderr.write(`${fields || err.message}\n`);
      process.exit(65);
    }
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
