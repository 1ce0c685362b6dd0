import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { qrPng, qrSvg } from './qr-code.ts';

// jsqr is a CommonJS bundle whose typings declare `export default`: under NodeNext the default
// import is the module object, and its `default` is the decoder (also true at run time).
const decodeQr = jsQR.default;

const URLS = [
  'https://pay.example.com/open-invoice/checkout/AbC_dEf-123456789012345678',
  'https://pay.example.com/invoice/Zx9_-aBcDeFgHiJkLmNoPqRsTuVwXy?lang=en&ref=12345',
  'http://localhost:3000/i/a',
];

function decode(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  const code = decodeQr(new Uint8ClampedArray(image.data), image.width, image.height);
  return code?.data;
}

describe('qrPng', () => {
  it.each(URLS)('decodes back to exactly %s', async (url) => {
    const png = await qrPng(url);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const image = PNG.sync.read(png);
    expect(image.width).toBeGreaterThanOrEqual(400);
    expect(image.width).toBeLessThanOrEqual(600);
    expect(decode(png)).toBe(url);
  });

  it('caches: the same text gives the same buffer', async () => {
    const url = URLS[0] ?? '';
    expect(await qrPng(url)).toBe(await qrPng(url));
  });

  it('rejects text too long for a QR code, and does not cache the failure', async () => {
    const tooLong = 'x'.repeat(5000);
    await expect(qrPng(tooLong)).rejects.toThrow();
    await expect(qrPng(tooLong)).rejects.toThrow();
  });
});

describe('qrSvg', () => {
  it.each(URLS)('is a standalone SVG for %s', (url) => {
    const svg = qrSvg(url);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/viewBox="0 0 (\d+) \1"/);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toMatch(/width="\d+" height="\d+"/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('draws the same modules as the PNG (rasterised SVG decodes to the input)', () => {
    const url = URLS[0] ?? '';
    const svg = qrSvg(url);
    const size = Number(/viewBox="0 0 (\d+)/.exec(svg)?.[1]);
    const d = /<path fill="#000000" d="([^"]*)"/.exec(svg)?.[1] ?? '';
    // Each subpath is `M x y h n v1 h-n z`: a run of n dark modules at (x, y).
    const scale = 8;
    const width = size * scale;
    const data = new Uint8ClampedArray(width * width * 4).fill(255);
    for (const [, x, y, n] of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
      for (let col = Number(x); col < Number(x) + Number(n); col++) {
        for (let py = Number(y) * scale; py < (Number(y) + 1) * scale; py++) {
          for (let px = col * scale; px < (col + 1) * scale; px++) {
            const i = (py * width + px) * 4;
            data[i] = data[i + 1] = data[i + 2] = 0;
          }
        }
      }
    }
    expect(decodeQr(data, width, width)?.data).toBe(url);
  });

  it('caches: the same text gives the identical string', () => {
    const url = URLS[1] ?? '';
    expect(qrSvg(url)).toBe(qrSvg(url));
  });

  it('throws for empty text', () => {
    expect(() => qrSvg('')).toThrow();
  });
});
