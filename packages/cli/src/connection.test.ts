import { describe, expect, it } from 'vitest';
import { SANDBOX } from '../../server/src/modules/merchants/sandbox-credentials.ts';
import { resolveConnection, SANDBOX_CREDENTIALS } from './connection.ts';
import { CliError } from './exit-codes.ts';
import { indentJson, table } from './output.ts';

const FULL = {
  FAWTARA_MERCHANT_CODE: '123456',
  FAWTARA_ACCESS_CODE: 'access',
  FAWTARA_SECRET_KEY: 'k'.repeat(32),
  FAWTARA_IV: 'i'.repeat(16),
  FAWTARA_USERNAME: 'user',
  FAWTARA_PASSWORD: 'secret-password',
};

describe('resolveConnection', () => {
  it("uses the server's sandbox merchant values", () => {
    const { merchantName: _name, ...server } = SANDBOX;
    expect(SANDBOX_CREDENTIALS).toEqual(server);
  });

  it('falls back to the sandbox merchant only for a local URL without any credential, with a note', () => {
    const notes: string[] = [];
    const local = resolveConnection({}, {}, (n) => notes.push(n));
    expect(local).toMatchObject({ baseUrl: 'http://localhost:3000', merchantCode: '842217', sandbox: true });
    expect(notes).toEqual([expect.stringContaining('public sandbox merchant 842217')]);
    expect(resolveConnection({ url: 'http://127.0.0.1:4000/' }, {}, () => {}).baseUrl).toBe('http://127.0.0.1:4000');
    expect(() => resolveConnection({ url: 'https://pay.example.com' }, {}, () => {})).toThrow(/no credentials for https:\/\/pay.example.com/);
  });

  it('takes each setting from its flag, else its variable', () => {
    const notes: string[] = [];
    const settings = resolveConnection({ url: 'https://pay.example.com', password: 'from-flag' }, { ...FULL, FAWTARA_URL: 'http://ignored' }, (n) =>
      notes.push(n),
    );
    expect(settings).toEqual({
      baseUrl: 'https://pay.example.com',
      merchantCode: '123456',
      accessCode: 'access',
      secretKey: FULL.FAWTARA_SECRET_KEY,
      iv: FULL.FAWTARA_IV,
      username: 'user',
      password: 'from-flag',
      sandbox: false,
    });
    expect(notes).toEqual([]);
    expect(resolveConnection({}, { ...FULL, FAWTARA_URL: 'https://gw.example.com/base' }, () => {}).baseUrl).toBe('https://gw.example.com/base');
  });

  it('refuses incomplete credentials and bad URLs as configuration errors (78)', () => {
    const error = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect((err as CliError).exitCode).toBe(78);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    expect(error(() => resolveConnection({}, { FAWTARA_USERNAME: 'u', FAWTARA_PASSWORD: 'p' }, () => {}))).toBe(
      'Configuration error: incomplete credentials, missing FAWTARA_MERCHANT_CODE (--merchant-code), FAWTARA_ACCESS_CODE (--access-code), FAWTARA_SECRET_KEY (--secret-key), FAWTARA_IV (--iv).',
    );
    expect(error(() => resolveConnection({ url: 'localhost:3000' }, {}, () => {}))).toMatch(/--url must use http or https/);
    expect(error(() => resolveConnection({}, { FAWTARA_URL: 'not a url' }, () => {}))).toMatch(/FAWTARA_URL must be an absolute/);
  });
});

describe('output helpers', () => {
  it('indents JSON without touching values (big integers, escapes)', () => {
    expect(indentJson('{"a":12345678901234567890,"b":"x\\/y \\"q\\" {,}","c":[],"d":{},"e":[1,{"f":null}]}')).toBe(
      [
        '{',
        '  "a": 12345678901234567890,',
        '  "b": "x\\/y \\"q\\" {,}",',
        '  "c": [],',
        '  "d": {},',
        '  "e": [',
        '    1,',
        '    {',
        '      "f": null',
        '    }',
        '  ]',
        '}',
      ].join('\n'),
    );
  });

  it('aligns table columns, counting Arabic combining marks as zero width', () => {
    expect(
      table(
        ['A', 'B'],
        [
          ['مُحَمَّد', 'x'],
          ['ab', 'y'],
        ],
      ),
    ).toBe(['A     B', 'مُحَمَّد  x', 'ab    y'].join('\n'));
  });
});
