import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import net from 'node:net';

/**
 * SSRF protection for requests the gateway makes on a merchant's behalf (webhooks, SMS
 * providers). A merchant chooses the URL, so without a guard they could point us at our own
 * database, the cloud metadata service (169.254.169.254) or anything else on the private network.
 *
 * Two layers, both needed:
 * - `checkUrl` when a URL is saved or before it is used: scheme, userinfo, and every address the
 *   host resolves to must be public. Gives a reason a person can read.
 * - `guardedLookup` as the `lookup` option of http(s).request: the check again, at connection
 *   time, on the very addresses the socket will connect to. A host whose DNS answer changes
 *   between the check and the connection (DNS rebinding) is refused there.
 *
 * Node does not call `lookup` for IP-literal hosts, so callers connecting to a URL must refuse a
 * non-public literal themselves (`parseOutboundUrl` + `classifyAddress`, as `checkUrl` and
 * `postJson` do).
 */

export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'unspecified' | 'reserved';

/**
 * Class of an IP address in text form (IPv4 dotted quad or any IPv6 text form, optionally in
 * brackets, optionally with a zone id). Anything that does not parse is 'reserved', so callers
 * that only let 'public' through fail closed.
 *
 * IPv6 forms that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible
 * `::a.b.c.d`, SIIT `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::`) are
 * classified by that IPv4 address; hex spellings (`::ffff:7f00:1`) count the same as dotted ones.
 * Only global unicast (2000::/3) can be public in IPv6.
 */
export function classifyAddress(ip: string): AddressClass {
  let text = ip;
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const kind = net.isIP(text);
  if (kind === 4) {
    const v4 = parseIPv4(text);
    return v4 ? classifyIPv4(v4) : 'reserved';
  }
  if (kind === 6) {
    const zone = text.indexOf('%');
    const groups = parseIPv6(zone === -1 ? text : text.slice(0, zone));
    return groups ? classifyIPv6(groups) : 'reserved';
  }
  return 'reserved';
}

/** Four octets, or null unless exactly `a.b.c.d` with each part 0–255 in plain decimal. */
function parseIPv4(text: string): [number, number, number, number] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const octets: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    octets.push(n);
  }
  return octets as [number, number, number, number];
}

/** Eight 16-bit groups, or null. Accepts `::` compression, a trailing dotted quad, any case. */
function parseIPv6(text: string): number[] | null {
  let s = text.toLowerCase();
  if (s.includes('.')) {
    const lastColon = s.lastIndexOf(':');
    if (lastColon === -1) return null;
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (!v4) return null;
    s = `${s.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const readGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = readGroups(halves[0] ?? '');
  if (!head) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const tail = readGroups(halves[1] ?? '');
  if (!tail || head.length + tail.length > 8) return null;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

function classifyIPv4([a, b, c]: readonly [number, number, number, number]): AddressClass {
  if (a === 0) return 'unspecified'; // 0.0.0.0/8 ("this network")
  if (a === 10) return 'private';
  if (a === 100 && b >= 64 && b <= 127) return 'private'; // 100.64.0.0/10 carrier-grade NAT
  if (a === 127) return 'loopback';
  if (a === 169 && b === 254) return 'link-local'; // includes cloud metadata 169.254.169.254
  if (a === 172 && b >= 16 && b <= 31) return 'private';
  if (a === 192 && b === 0 && c === 0) return 'reserved'; // IETF protocol assignments
  if (a === 192 && b === 0 && c === 2) return 'reserved'; // TEST-NET-1
  if (a === 192 && b === 168) return 'private';
  if (a === 198 && (b === 18 || b === 19)) return 'reserved'; // benchmarking
  if (a === 198 && b === 51 && c === 100) return 'reserved'; // TEST-NET-2
  if (a === 203 && b === 0 && c === 113) return 'reserved'; // TEST-NET-3
  if (a >= 224) return 'reserved'; // 224/4 multicast, 240/4 future use, 255.255.255.255 broadcast
  return 'public';
}

function embeddedIPv4(hi: number, lo: number): [number, number, number, number] {
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
}

function classifyIPv6(g: readonly number[]): AddressClass {
  const at = (i: number): number => g[i] ?? 0;
  const zeroUpTo = (n: number): boolean => g.slice(0, n).every((x) => x === 0);
  const last32 = (): AddressClass => classifyIPv4(embeddedIPv4(at(6), at(7)));

  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(7) && at(7) === 1) return 'loopback';
  if (zeroUpTo(5) && at(5) === 0xffff) return last32(); // ::ffff:0:0/96 IPv4-mapped
  if (zeroUpTo(4) && at(4) === 0xffff && at(5) === 0) return last32(); // ::ffff:0:0:0/96 SIIT
  if (zeroUpTo(6)) return last32(); // ::/96 IPv4-compatible (deprecated, still routable by some stacks)
  if (at(0) === 0x64 && at(1) === 0xff9b && at(2) === 0 && at(3) === 0 && at(4) === 0 && at(5) === 0) {
    return last32(); // 64:ff9b::/96 NAT64 well-known prefix
  }
  if (at(0) === 0x64 && at(1) === 0xff9b && at(2) === 1) return 'private'; // 64:ff9b:1::/48 local-use NAT64
  if ((at(0) & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((at(0) & 0xffc0) === 0xfec0) return 'private'; // fec0::/10 deprecated site-local
  if ((at(0) & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((at(0) & 0xff00) === 0xff00) return 'reserved'; // ff00::/8 multicast
  if (at(0) === 0x2001 && at(1) === 0x0db8) return 'reserved'; // 2001:db8::/32 documentation
  if (at(0) === 0x3fff && at(1) <= 0x0fff) return 'reserved'; // 3fff::/20 documentation
  if (at(0) === 0x2001 && at(1) <= 0x01ff) return 'reserved'; // 2001::/23 IETF protocol assignments (Teredo, benchmarking, ORCHID)
  if (at(0) === 0x2002) {
    // 6to4: the IPv4 address of the site sits in bits 16–47; a private one means a private site.
    const v4 = classifyIPv4(embeddedIPv4(at(1), at(2)));
    return v4 === 'public' ? 'public' : v4;
  }
  if ((at(0) & 0xe000) !== 0x2000) return 'reserved'; // outside 2000::/3 global unicast
  return 'public';
}

const ARTICLE: Record<AddressClass, string> = {
  public: 'a public',
  private: 'a private',
  loopback: 'a loopback',
  'link-local': 'a link-local',
  unspecified: 'an unspecified',
  reserved: 'a reserved',
};

function describeAddress(kind: AddressClass, address: string): string {
  return `${ARTICLE[kind]} address ${address}`;
}

/** A resolver: every address of a host name. Injectable so tests need no DNS. */
export type LookupFn = (hostname: string, options?: { family?: 0 | 4 | 6 }) => Promise<LookupAddress[]>;

const systemLookup: LookupFn = (hostname, options) => dns.promises.lookup(hostname, { all: true, family: options?.family ?? 0 });

/** `localhost` and `*.localhost` are loopback by definition (RFC 6761), whatever a resolver says. */
function isLocalhostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

export type ParsedOutboundUrl = { ok: true; url: URL; /** Host without IPv6 brackets. */ host: string; ipLiteral: boolean } | { ok: false; reason: string };

/**
 * The checks that need no DNS: a parsable absolute URL, http: or https:, no userinfo, a host.
 * IPv4 literals come back normalised by the URL parser (`http://0x7f.1/` has host 127.0.0.1).
 */
export function parseOutboundUrl(raw: string): ParsedOutboundUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a valid absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: `scheme ${url.protocol} is not allowed (only http: and https:)` };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'credentials in the URL (user:pass@) are not allowed' };
  }
  let host = url.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '') return { ok: false, reason: 'the URL has no host' };
  return { ok: true, url, host, ipLiteral: net.isIP(host) !== 0 };
}

/**
 * What can be refused without DNS: an invalid URL, or a host that is a non-public IP literal or
 * a `localhost` name. For refusing at input time (an invoice's webhook); delivery checks fully.
 */
export function obviousProblem(url: string): string | null {
  const parsed = parseOutboundUrl(url);
  if (!parsed.ok) return parsed.reason;
  if (isLocalhostName(parsed.host)) return 'host is a loopback name';
  if (parsed.ipLiteral) {
    const kind = classifyAddress(parsed.host);
    if (kind !== 'public') return `host is ${describeAddress(kind, parsed.host)}`;
  }
  return null;
}

export type CheckUrlResult = { ok: true; addresses: string[] } | { ok: false; reason: string };

/**
 * Whether the gateway may send requests to `url`: http(s) only, no userinfo, and every address
 * the host resolves to is public (unless `allowPrivate`, for self-hosters whose merchants live on
 * the same network). A passing check does not make later connections safe by itself: connect
 * with `guardedLookup` too.
 */
export async function checkUrl(url: string, opts: { allowPrivate: boolean; lookup?: LookupFn }): Promise<CheckUrlResult> {
  const parsed = parseOutboundUrl(url);
  if (!parsed.ok) return parsed;
  const { host } = parsed;

  if (parsed.ipLiteral) {
    const kind = classifyAddress(host);
    if (kind !== 'public' && !opts.allowPrivate) return { ok: false, reason: `host is ${describeAddress(kind, host)}` };
    return { ok: true, addresses: [host] };
  }
  if (!opts.allowPrivate && isLocalhostName(host)) {
    return { ok: false, reason: `host ${host} is a loopback name` };
  }

  let found: LookupAddress[];
  try {
    found = await (opts.lookup ?? systemLookup)(host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | null)?.code;
    return { ok: false, reason: `host could not be resolved${code ? ` (${code})` : ''}` };
  }
  const addresses = found.map((a) => a.address);
  if (addresses.length === 0) return { ok: false, reason: 'host could not be resolved (no addresses)' };
  if (!opts.allowPrivate) {
    for (const address of addresses) {
      const kind = classifyAddress(address);
      if (kind !== 'public') return { ok: false, reason: `resolves to ${describeAddress(kind, address)}` };
    }
  }
  return { ok: true, addresses };
}

/** Refusal to connect to a non-public address. `code` is 'EADDRBLOCKED'. */
export class AddressBlockedError extends Error {
  readonly code = 'EADDRBLOCKED';
  constructor(
    message: string,
    readonly hostname: string,
    readonly address: string,
    readonly addressClass: AddressClass,
  ) {
    super(message);
    this.name = 'AddressBlockedError';
  }
}

/** Error for a non-public IP literal, for callers connecting to a literal (Node skips `lookup` then). */
export function blockedLiteral(address: string): AddressBlockedError | null {
  const kind = classifyAddress(address);
  if (kind === 'public') return null;
  return new AddressBlockedError(`refusing to connect to ${describeAddress(kind, address)}`, address, address, kind);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request / https.request / net.connect that resolves the host and refuses
 * (error code 'EADDRBLOCKED') when any address is not public, unless `allowPrivate`. Node calls
 * it with `options.all` true (happy eyeballs, the default since Node 20) or false; both answer
 * shapes are supported. `resolve` replaces DNS in tests.
 */
export function guardedLookup(allowPrivate: boolean, resolve: LookupFn = systemLookup): net.LookupFunction {
  return (hostname: string, optionsOrCallback: LookupOptions | LookupCallback | number | undefined, maybeCallback?: LookupCallback): void => {
    const callback = (typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback) as LookupCallback;
    const options: LookupOptions =
      typeof optionsOrCallback === 'number'
        ? { family: optionsOrCallback }
        : typeof optionsOrCallback === 'object' && optionsOrCallback
          ? optionsOrCallback
          : {};
    const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;

    const answer = async (): Promise<LookupAddress[]> => {
      if (!allowPrivate && isLocalhostName(hostname)) {
        throw new AddressBlockedError(`refusing to connect to ${hostname}: a loopback name`, hostname, hostname, 'loopback');
      }
      const found = (await resolve(hostname, { family })).filter((a) => family === 0 || a.family === family);
      if (found.length === 0) {
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname, syscall: 'getaddrinfo' });
      }
      if (!allowPrivate) {
        for (const { address } of found) {
          const kind = classifyAddress(address);
          if (kind !== 'public') {
            throw new AddressBlockedError(`refusing to connect to ${hostname}: it resolves to ${describeAddress(kind, address)}`, hostname, address, kind);
          }
        }
      }
      return found;
    };

    // The callback runs outside the promise chain so that an exception in it surfaces as it
    // would from dns.lookup instead of becoming an unhandled rejection.
    answer().then(
      (found) =>
        process.nextTick(() => {
          if (options.all) {
            callback(null, found);
          } else {
            const first = found[0]!;
            callback(null, first.address, first.family);
          }
        }),
      (err: unknown) => process.nextTick(() => callback(err as NodeJS.ErrnoException, options.all ? [] : '', undefined)),
    );
  };
}
