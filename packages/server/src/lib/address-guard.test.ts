import http from 'node:http';
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpReceiver } from '../test-support/http-receiver.ts';
import type { HttpReceiver } from '../test-support/http-receiver.ts';
import { checkUrl, classifyAddress, guardedLookup } from './address-guard.ts';
import type { AddressClass, LookupFn } from './address-guard.ts';

const TABLE: Array<[string, AddressClass]> = [
  // IPv4 public
  ['8.8.8.8', 'public'],
  ['1.1.1.1', 'public'],
  ['93.184.216.34', 'public'],
  ['172.15.255.255', 'public'],
  ['172.32.0.0', 'public'],
  ['100.63.255.255', 'public'],
  ['100.128.0.0', 'public'],
  ['192.169.0.1', 'public'],
  ['198.17.255.255', 'public'],
  ['198.20.0.0', 'public'],
  ['223.255.255.255', 'public'],
  ['11.0.0.1', 'public'],
  // IPv4 non-public
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.254', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'private'],
  ['100.127.255.255', 'private'],
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['169.254.169.254', 'link-local'],
  ['169.254.0.1', 'link-local'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.55', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['198.19.255.255', 'reserved'],
  ['198.51.100.7', 'reserved'],
  ['203.0.113.9', 'reserved'],
  ['224.0.0.1', 'reserved'],
  ['239.255.255.250', 'reserved'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  // IPv6 basics
  ['::', 'unspecified'],
  ['0:0:0:0:0:0:0:0', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['0000:0000::0001', 'loopback'],
  ['[::1]', 'loopback'],
  ['2606:4700:4700::1111', 'public'],
  ['2001:4860:4860::8888', 'public'],
  ['2a00:1450:4001:82b::200e', 'public'],
  ['2A00:1450:4001:82B::200E', 'public'],
  ['fe80::1', 'link-local'],
  ['FE80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['fe80::abcd:1234%25', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['fec0::1', 'private'],
  ['fc00::1', 'private'],
  ['fd12:3456:789a::1', 'private'],
  ['ff02::1', 'reserved'],
  ['ff05::1:3', 'reserved'],
  ['2001:db8::1', 'reserved'],
  ['2001:0DB8:85a3::8a2e:370:7334', 'reserved'],
  ['2001::1', 'reserved'], // Teredo
  ['3fff::1', 'reserved'],
  ['100::1', 'reserved'], // discard-only
  ['4000::1', 'reserved'], // outside 2000::/3
  // IPv4-mapped, -compatible, SIIT, NAT64, 6to4
  ['::ffff:127.0.0.1', 'loopback'],
  ['::FFFF:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['0:0:0:0:0:ffff:7f00:0001', 'loopback'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:a9fe:a9fe', 'link-local'],
  ['::ffff:8.8.8.8', 'public'],
  ['::ffff:0808:0808', 'public'],
  ['::ffff:0.0.0.0', 'unspecified'],
  ['::127.0.0.1', 'loopback'],
  ['::192.168.0.1', 'private'],
  ['::8.8.8.8', 'public'],
  ['::ffff:0:127.0.0.1', 'loopback'],
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::a9fe:a9fe', 'link-local'],
  ['64:ff9b::8.8.8.8', 'public'],
  ['64:ff9b::c0a8:101', 'private'],
  ['64:ff9b:1::1', 'private'],
  ['2002:7f00:1::1', 'loopback'],
  ['2002:c0a8:101::1', 'private'],
  ['2002:808:808::1', 'public'],
  // unparsable
  ['', 'reserved'],
  ['localhost', 'reserved'],
  ['127.1', 'reserved'],
  ['0177.0.0.1', 'reserved'],
  ['2130706433', 'reserved'],
  ['256.0.0.1', 'reserved'],
  ['1.2.3.4%eth0', 'reserved'],
  ['1::2::3', 'reserved'],
  [' 8.8.8.8', 'reserved'],
  ['::ffff:256.0.0.1', 'reserved'],
  ['gggg::1', 'reserved'],
];

describe('classifyAddress', () => {
  it.each(TABLE)('%j is %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });
});

/** A resolver from a fixed table; unknown names fail like getaddrinfo does. */
function fakeLookup(table: Record<string, string[]>): LookupFn & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (hostname: string): Promise<LookupAddress[]> => {
    calls.push(hostname);
    const found = table[hostname];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(fn, { calls });
}

describe('checkUrl', () => {
  const lookup = fakeLookup({
    'merchant.example': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    'mixed.example': ['93.184.216.34', '10.0.0.7'],
    'mixed6.example': ['2606:4700::1', 'fd00::7'],
    'meta.example': ['169.254.169.254'],
    'loop.example': ['127.0.0.1'],
    'mapped.example': ['::ffff:192.168.0.10'],
    'empty.example': [],
    localhost: ['93.184.216.34'], // a lying resolver: localhost is loopback by definition
  });

  it('accepts a name that resolves only to public addresses, returning them all', async () => {
    await expect(checkUrl('https://merchant.example/hooks?x=1', { allowPrivate: false, lookup })).resolves.toEqual({
      ok: true,
      addresses: ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    });
    await expect(checkUrl('http://merchant.example:8080/', { allowPrivate: false, lookup })).resolves.toMatchObject({ ok: true });
  });

  it('refuses a name when any one of its addresses is not public', async () => {
    expect(await checkUrl('https://mixed.example/', { allowPrivate: false, lookup })).toEqual({
      ok: false,
      reason: 'resolves to a private address 10.0.0.7',
    });
    expect(await checkUrl('https://mixed6.example/', { allowPrivate: false, lookup })).toEqual({
      ok: false,
      reason: 'resolves to a private address fd00::7',
    });
    expect(await checkUrl('https://meta.example/', { allowPrivate: false, lookup })).toEqual({
      ok: false,
      reason: 'resolves to a link-local address 169.254.169.254',
    });
    expect(await checkUrl('https://loop.example/', { allowPrivate: false, lookup })).toEqual({
      ok: false,
      reason: 'resolves to a loopback address 127.0.0.1',
    });
    expect(await checkUrl('https://mapped.example/', { allowPrivate: false, lookup })).toEqual({
      ok: false,
      reason: 'resolves to a private address ::ffff:192.168.0.10',
    });
  });

  it('allows private addresses when allowPrivate is set', async () => {
    await expect(checkUrl('https://mixed.example/', { allowPrivate: true, lookup })).resolves.toEqual({
      ok: true,
      addresses: ['93.184.216.34', '10.0.0.7'],
    });
    await expect(checkUrl('http://127.0.0.1:3000/', { allowPrivate: true, lookup })).resolves.toEqual({ ok: true, addresses: ['127.0.0.1'] });
  });

  it('only allows http: and https:', async () => {
    for (const [url, scheme] of [
      ['ftp://merchant.example/', 'ftp:'],
      ['file:///etc/passwd', 'file:'],
      ['gopher://merchant.example/', 'gopher:'],
      ['javascript:alert(1)', 'javascript:'],
      ['data:text/plain,hi', 'data:'],
      ['ws://merchant.example/', 'ws:'],
    ] as const) {
      const result = await checkUrl(url, { allowPrivate: true, lookup });
      expect(result).toEqual({ ok: false, reason: expect.stringContaining(`scheme ${scheme} is not allowed`) });
    }
    await expect(checkUrl('HTTPS://merchant.example/', { allowPrivate: false, lookup })).resolves.toMatchObject({ ok: true });
  });

  it('refuses userinfo in the URL', async () => {
    for (const url of ['https://user:pass@merchant.example/', 'https://user@merchant.example/', 'https://:pass@merchant.example/']) {
      expect(await checkUrl(url, { allowPrivate: true, lookup })).toEqual({
        ok: false,
        reason: 'credentials in the URL (user:pass@) are not allowed',
      });
    }
  });

  it('refuses what is not an absolute URL', async () => {
    for (const url of ['', 'merchant.example/hook', '/hook', 'http://', 'http://[fe80::1%25eth0]/', 'http://exa mple.com/']) {
      expect(await checkUrl(url, { allowPrivate: true, lookup })).toMatchObject({ ok: false });
    }
  });

  it('checks IP literals without DNS, IPv6 in brackets, IPv4 in any spelling the URL parser accepts', async () => {
    const strict = fakeLookup({});
    const cases: Array<[string, string | null]> = [
      ['http://[::1]:8080/', 'host is a loopback address ::1'],
      ['http://[::ffff:127.0.0.1]/', 'host is a loopback address ::ffff:7f00:1'],
      ['http://[fe80::1]/', 'host is a link-local address fe80::1'],
      ['http://[fd00::1]/', 'host is a private address fd00::1'],
      ['http://[64:ff9b::10.0.0.1]/', 'host is a private address 64:ff9b::a00:1'],
      ['http://127.0.0.1/', 'host is a loopback address 127.0.0.1'],
      ['http://0x7f.1/', 'host is a loopback address 127.0.0.1'],
      ['http://2130706433/', 'host is a loopback address 127.0.0.1'],
      ['http://0177.0.0.1/', 'host is a loopback address 127.0.0.1'],
      ['http://0/', 'host is an unspecified address 0.0.0.0'],
      ['http://169.254.169.254/latest/meta-data/', 'host is a link-local address 169.254.169.254'],
      ['http://[2606:4700:4700::1111]/', null],
      ['https://8.8.8.8:8443/', null],
    ];
    for (const [url, reason] of cases) {
      const result = await checkUrl(url, { allowPrivate: false, lookup: strict });
      if (reason === null) expect(result, url).toMatchObject({ ok: true });
      else expect(result, url).toEqual({ ok: false, reason });
    }
    expect(strict.calls).toEqual([]);
    await expect(checkUrl('http://[2606:4700:4700::1111]/', { allowPrivate: false, lookup: strict })).resolves.toEqual({
      ok: true,
      addresses: ['2606:4700:4700::1111'],
    });
  });

  it('refuses localhost names whatever the resolver says, unless allowPrivate', async () => {
    for (const url of ['http://localhost/', 'http://LOCALHOST:3000/', 'http://localhost./', 'http://api.localhost/']) {
      expect(await checkUrl(url, { allowPrivate: false, lookup })).toMatchObject({ ok: false, reason: expect.stringContaining('loopback') });
    }
    await expect(checkUrl('http://localhost/', { allowPrivate: true, lookup })).resolves.toMatchObject({ ok: true });
  });

  it('localhost through the system resolver is refused too', async () => {
    expect(await checkUrl('http://localhost:1/', { allowPrivate: false })).toMatchObject({ ok: false });
    const result = await checkUrl('http://localhost:1/', { allowPrivate: true });
    expect(result.ok).toBe(true);
    if (result.ok) for (const a of result.addresses) expect(classifyAddress(a)).toBe('loopback');
  });

  it('says when a host cannot be resolved', async () => {
    expect(await checkUrl('https://nowhere.example/', { allowPrivate: false, lookup })).toEqual({
      ok: false,
      reason: 'host could not be resolved (ENOTFOUND)',
    });
    expect(await checkUrl('https://empty.example/', { allowPrivate: false, lookup })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('host could not be resolved'),
    });
    expect(await checkUrl('https://nowhere.invalid/', { allowPrivate: false })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('host could not be resolved'),
    });
  });
});

describe('guardedLookup', () => {
  let receiver: HttpReceiver;
  beforeAll(async () => {
    receiver = await startHttpReceiver();
  });
  afterAll(() => receiver.close());

  function get(url: string, lookup: ReturnType<typeof guardedLookup>, family?: 4 | 6): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'GET', lookup, agent: false, ...(family ? { family } : {}) }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  }

  const toReceiver = fakeLookup({ 'merchant.test': ['127.0.0.1'], 'rebind.test': ['93.184.216.34', '127.0.0.1'] });

  it('refuses 127.0.0.1 at connection time through a real http.request, and the receiver gets nothing', async () => {
    const before = receiver.received.length;
    const err = await get(`http://merchant.test:${receiver.port}/x`, guardedLookup(false, toReceiver)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'EADDRBLOCKED', message: expect.stringContaining('loopback address 127.0.0.1') });
    // A name with one public and one private address is refused as a whole.
    await expect(get(`http://rebind.test:${receiver.port}/x`, guardedLookup(false, toReceiver))).rejects.toMatchObject({ code: 'EADDRBLOCKED' });
    // The system resolver's answer for localhost is refused the same way.
    await expect(get(`http://localhost:${receiver.port}/x`, guardedLookup(false))).rejects.toMatchObject({ code: 'EADDRBLOCKED' });
    await new Promise((r) => setTimeout(r, 50));
    expect(receiver.received.length).toBe(before);
  });

  it('connects to 127.0.0.1 when allowPrivate, with and without a family (both callback shapes)', async () => {
    const before = receiver.received.length;
    expect(await get(`http://merchant.test:${receiver.port}/a`, guardedLookup(true, toReceiver))).toBe(200);
    expect(await get(`http://merchant.test:${receiver.port}/b`, guardedLookup(true, toReceiver), 4)).toBe(200);
    expect(await get(`http://localhost:${receiver.port}/c`, guardedLookup(true))).toBe(200);
    expect(receiver.received.slice(before).map((r) => r.path)).toEqual(['/a', '/b', '/c']);
  });

  it('answers both callback shapes directly', async () => {
    const lookup = guardedLookup(false, fakeLookup({ 'pub.test': ['93.184.216.34', '2606:4700::1'], 'priv.test': ['10.1.1.1'] }));
    const call = (host: string, all: boolean, family = 0) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family: unknown }>((resolve) =>
        lookup(host, { all, family }, (err, address, fam) => resolve({ err, address, family: fam })),
      );
    expect(await call('pub.test', true)).toMatchObject({
      err: null,
      address: [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:4700::1', family: 6 },
      ],
    });
    expect(await call('pub.test', false)).toMatchObject({ err: null, address: '93.184.216.34', family: 4 });
    expect(await call('pub.test', false, 6)).toMatchObject({ err: null, address: '2606:4700::1', family: 6 });
    const blocked = await call('priv.test', false);
    expect(blocked.err).toMatchObject({ code: 'EADDRBLOCKED', message: expect.stringContaining('priv.test') });
    expect((await call('nowhere.test', true)).err).toMatchObject({ code: 'ENOTFOUND' });
  });
});
