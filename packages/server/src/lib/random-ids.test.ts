import { describe, expect, it } from 'vitest';
import { numericToken, publicKey } from './random-ids.ts';

describe('random identifiers', () => {
  it('public keys carry 144 random bits and do not repeat', () => {
    const keys = new Set(Array.from({ length: 5000 }, () => publicKey()));
    expect(keys.size).toBe(5000);
    for (const k of keys) expect(k).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });

  it('numeric tokens are unix seconds then 16 uniformly drawn digits', () => {
    const now = new Date('2026-11-21T09:00:00Z');
    const tokens = Array.from({ length: 5000 }, () => numericToken(now));
    expect(new Set(tokens).size).toBe(5000);
    const counts = Array(10).fill(0);
    for (const t of tokens) {
      expect(t).toMatch(/^1795251600\d{16}$/);
      for (const d of t.slice(10)) counts[Number(d)]++;
    }
    // 80,000 digits: each digit near 8,000; a broken draw (e.g. always '0' padding) is far off.
    for (const c of counts) expect(Math.abs(c - 8000)).toBeLessThan(600);
  });
});
