import type { MerchantCredentials } from '@fawtara/wire';
import { ENVIRONMENTS, SANDBOX_CREDENTIALS } from '@fawtara/sdk';
import type { Command } from 'commander';
import { configError } from './exit-codes.ts';

/**
 * Where the API commands connect and as whom: each setting from its flag, else its environment
 * variable; the URL defaults to a local gateway. With no credentials at all and a local URL,
 * the public sandbox merchant (what `fawtara serve` creates in sandbox mode) is used, and a
 * note on stderr says so.
 */

/** Hesabe's public sandbox merchant, as the SDK (from @fawtara/wire) exports it. */
export { SANDBOX_CREDENTIALS };

/** A Fawtara on this machine: the SDK's `local` environment. */
const DEFAULT_URL = ENVIRONMENTS.local.baseUrl;

export interface ConnectionFlags {
  url?: string;
  merchantCode?: string;
  accessCode?: string;
  secretKey?: string;
  iv?: string;
  username?: string;
  password?: string;
}

export interface ConnectionSettings extends MerchantCredentials {
  baseUrl: string;
  /** The public sandbox merchant was assumed. */
  sandbox: boolean;
}

const CREDENTIALS = [
  ['merchantCode', '--merchant-code', 'FAWTARA_MERCHANT_CODE'],
  ['accessCode', '--access-code', 'FAWTARA_ACCESS_CODE'],
  ['secretKey', '--secret-key', 'FAWTARA_SECRET_KEY'],
  ['iv', '--iv', 'FAWTARA_IV'],
  ['username', '--username', 'FAWTARA_USERNAME'],
  ['password', '--password', 'FAWTARA_PASSWORD'],
] as const;

/** Adds the connection flags to an API command. */
export function connectionOptions(command: Command): Command {
  return command
    .option('--url <url>', `the gateway (env FAWTARA_URL, default ${DEFAULT_URL})`)
    .option('--merchant-code <code>', 'env FAWTARA_MERCHANT_CODE')
    .option('--access-code <code>', 'env FAWTARA_ACCESS_CODE')
    .option('--secret-key <key>', 'env FAWTARA_SECRET_KEY')
    .option('--iv <iv>', 'env FAWTARA_IV')
    .option('--username <user>', 'env FAWTARA_USERNAME')
    .option('--password <password>', 'env FAWTARA_PASSWORD (prefer the variable: flags show in ps)');
}

export const CONNECTION_HELP = `
Connection: --url / FAWTARA_URL (default ${DEFAULT_URL}) and the merchant's credentials
FAWTARA_MERCHANT_CODE, FAWTARA_ACCESS_CODE, FAWTARA_SECRET_KEY, FAWTARA_IV, FAWTARA_USERNAME,
FAWTARA_PASSWORD (or the flags). With none of them and a localhost URL, the public sandbox
merchant ${SANDBOX_CREDENTIALS.merchantCode} is used.`;

function isLocalUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv, note: (message: string) => void): ConnectionSettings {
  const rawUrl = flags.url ?? (env.FAWTARA_URL?.trim() || DEFAULT_URL);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw configError(
      `Configuration error: ${flags.url !== undefined ? '--url' : 'FAWTARA_URL'} must be an absolute http(s) URL, got ${JSON.stringify(rawUrl)}.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw configError(`Configuration error: ${flags.url !== undefined ? '--url' : 'FAWTARA_URL'} must use http or https.`);
  const baseUrl = url.href.replace(/\/+$/, '');

  const given = new Map<string, string>();
  for (const [key, , variable] of CREDENTIALS) {
    const value = flags[key] ?? (env[variable] || undefined);
    if (value !== undefined) given.set(key, value);
  }
  if (given.size === 0) {
    if (!isLocalUrl(url)) {
      throw configError(
        `Configuration error: no credentials for ${baseUrl}. Set ${CREDENTIALS.map(([, , v]) => v).join(', ')} (or the flags ${CREDENTIALS.map(([, f]) => f).join(', ')}).`,
      );
    }
    note(`Using the public sandbox merchant ${SANDBOX_CREDENTIALS.merchantCode} (no FAWTARA_* credentials given and ${url.host} is local).`);
    return { baseUrl, ...SANDBOX_CREDENTIALS, sandbox: true };
  }
  const missing = CREDENTIALS.filter(([key]) => !given.has(key));
  if (missing.length > 0) {
    throw configError(`Configuration error: incomplete credentials, missing ${missing.map(([, flag, variable]) => `${variable} (${flag})`).join(', ')}.`);
  }
  const get = (key: string) => given.get(key)!;
  return {
    baseUrl,
    merchantCode: get('merchantCode'),
    accessCode: get('accessCode'),
    secretKey: get('secretKey'),
    iv: get('iv'),
    username: get('username'),
    password: get('password'),
    sandbox: false,
  };
}
