/**
 * Envelope codec benchmark (`npm run bench:codec`).
 *
 * Target: the codec (encrypt + decrypt) of the documented sample payloads and of a 10 KB
 * Arabic payload, next to raw node:crypto AES-256-CBC over the same bytes (the floor); prints
 * operations per second and the ratio. Target: at least half the floor's speed at 1 KB and above.
 *
 * What one operation is, for each side:
 *   codec  `codec.decrypt(codec.encrypt(text))` from @fawtara/wire, which the server and the SDK
 *          both use: UTF-8 encoding, padding to 32-byte blocks, AES-256-CBC, lowercase hex, and
 *          back with hex validation, padding checks and strict UTF-8 decoding.
 *   floor  `createCipheriv('aes-256-cbc')` with node's own PKCS#7 padding over the same UTF-8
 *          bytes to a Buffer, then `createDecipheriv` back to a string. No hex: the floor is the
 *          cipher alone, so the ratio charges the codec for everything the wire format adds.
 *   floor+hex  the floor plus hex encoding and decoding, shown for reference (not the target).
 * Each case runs for --ms (default 1,000 ms) after a 200 ms warm-up, three rounds, best kept
 * (the best round is the least disturbed by the other core's work). Results are checked: every
 * round trip must return the input.
 *
 * Options: --ms=1000 --rounds=3
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createCodec } from '@fawtara/wire';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const MS = Number(args.ms ?? 1000);
const ROUNDS = Number(args.rounds ?? 3);
const TARGET = 0.5;

const vectors = JSON.parse(readFileSync(new URL('../packages/wire/fixtures/wire-vectors.json', import.meta.url), 'utf8')) as {
  secretKey: string;
  iv: string;
  valid: Array<{ name: string; plaintext: string }>;
};
const key = Buffer.from(vectors.secretKey, 'utf8');
const iv = Buffer.from(vectors.iv, 'utf8');
const codec = createCodec({ secretKey: vectors.secretKey, iv: vectors.iv });

/** A realistic JSON invoice payload of about `bytes` UTF-8 bytes, in Arabic. */
function arabicPayload(bytes: number): string {
  const items: Array<Record<string, string>> = [];
  let text = '';
  for (let i = 1; Buffer.byteLength(text) < bytes; i++) {
    items.push({ itemTitle: `خدمة صيانة رقم ${i} — قطع غيار وأجور عمل`, rate: '12.500', quantity: '1', amount: '12.500' });
    text = JSON.stringify({ merchantCode: '842217', customerName: 'فاطمة الكندري', description: 'فاتورة شهر نوفمبر', itemsList: items });
  }
  return text;
}

const cases: Array<{ name: string; text: string }> = [
  ...vectors.valid
    .filter((v) => v.name.startsWith('seed'))
    .map((v) => ({ name: v.name.replace(/ \(.*\)$/, '').replace(/_[0-9a-f]{16}\.txt/, ''), text: v.plaintext })),
  { name: 'Arabic JSON 1 KB', text: arabicPayload(1024) },
  { name: 'Arabic JSON 10 KB', text: arabicPayload(10 * 1024) },
  { name: 'Arabic JSON 100 KB', text: arabicPayload(100 * 1024) },
];

function floor(text: string): string {
  const c = createCipheriv('aes-256-cbc', key, iv);
  const enc = Buffer.concat([c.update(text, 'utf8'), c.final()]);
  const d = createDecipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([d.update(enc), d.final()]).toString('utf8');
}

function floorHex(text: string): string {
  const c = createCipheriv('aes-256-cbc', key, iv);
  const hex = Buffer.concat([c.update(text, 'utf8'), c.final()]).toString('hex');
  const d = createDecipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([d.update(Buffer.from(hex, 'hex')), d.final()]).toString('utf8');
}

const ours = (text: string) => codec.decrypt(codec.encrypt(text));

/** Operations per second of `fn(text)`: the best of ROUNDS timed runs. */
function opsPerSecond(fn: (t: string) => string, text: string): number {
  if (fn(text) !== text) throw new Error('round trip changed the text');
  const warm = performance.now() + 200;
  while (performance.now() < warm) fn(text);
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < MS) {
      for (let i = 0; i < 50; i++) fn(text);
      n += 50;
      now = performance.now();
    }
    best = Math.max(best, (n * 1000) / (now - start));
  }
  return best;
}

const rows: Array<{ name: string; bytes: number; codec: number; floor: number; floorHex: number; ratio: number; verdict: string }> = [];
for (const c of cases) {
  const bytes = Buffer.byteLength(c.text);
  const r = {
    name: c.name,
    bytes,
    codec: opsPerSecond(ours, c.text),
    floor: opsPerSecond(floor, c.text),
    floorHex: opsPerSecond(floorHex, c.text),
  } as (typeof rows)[number];
  r.ratio = r.codec / r.floor;
  r.verdict = bytes < 1024 ? '(below 1 KB: no target)' : r.ratio >= TARGET ? 'PASS' : 'MISS';
  rows.push(r);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(10);
console.log(`codec (encrypt + decrypt) vs raw AES-256-CBC, ops/s, best of ${ROUNDS} × ${MS} ms; target ratio ≥ ${TARGET} at 1 KB and above\n`);
console.log(`${'payload'.padEnd(28)} ${'bytes'.padStart(7)} ${'codec'.padStart(10)} ${'floor'.padStart(10)} ${'floor+hex'.padStart(10)}  ratio`);
for (const r of rows) {
  console.log(`${r.name.padEnd(28)} ${String(r.bytes).padStart(7)} ${fmt(r.codec)} ${fmt(r.floor)} ${fmt(r.floorHex)}  ${r.ratio.toFixed(2)}  ${r.verdict}`);
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/codec.json', import.meta.url), JSON.stringify({ at: new Date().toISOString(), node: process.version, rows }, null, 2));
process.exitCode = 0;
