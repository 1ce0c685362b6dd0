/**
 * Hesabe's public sandbox merchant. A local Fawtara in sandbox
 * mode answers to exactly these, so Hesabe sandbox code works by changing the base URL; the SDK
 * and the CLI offer them for local use. Public values: never for real money (production mode
 * refuses to start while any merchant still has them).
 *
 * @example
 * const client = new Client({ environment: 'local', ...SANDBOX_CREDENTIALS });
 */
export const SANDBOX_CREDENTIALS = {
  merchantCode: '842217',
  accessCode: 'c333729b-d060-4b74-a49d-7686a8353481',
  secretKey: 'PkW64zMe5NVdrlPVNnjo2Jy9nOb7v1Xg',
  iv: '5NVdrlPVNnjo2Jy9',
  username: 'test',
  password: 'Test@1234',
} as const;

/** What a merchant connects with: code, access code, envelope keys and panel login. */
export type MerchantCredentials = { -readonly [K in keyof typeof SANDBOX_CREDENTIALS]: string };
