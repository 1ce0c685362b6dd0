/**
 * Hesabe's public sandbox credentials (reference/hesabe-api.md §2). A local Fawtara in sandbox
 * mode answers to exactly these so that Hesabe sandbox code works by changing the base URL.
 * Because they are public, production mode refuses to start while any merchant still has them.
 */
export const SANDBOX = {
  merchantCode: '842217',
  accessCode: 'c333729b-d060-4b74-a49d-7686a8353481',
  secretKey: 'PkW64zMe5NVdrlPVNnjo2Jy9nOb7v1Xg',
  iv: '5NVdrlPVNnjo2Jy9',
  username: 'test',
  password: 'Test@1234',
  merchantName: 'Fawtara Sandbox',
} as const;
