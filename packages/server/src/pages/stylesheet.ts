import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The pages' one stylesheet, read once at import and served under a content-hashed path so it
 * can be cached for a year (`Cache-Control: public, max-age=31536000, immutable`).
 * Comments and runs of whitespace are dropped; the hash and ETag are of the served body.
 */
function minify(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};,>])\s*/g, '$1')
    .replace(/:\s+/g, ':')
    .replace(/;}/g, '}')
    .trim();
}

const body = minify(readFileSync(new URL('./pages.css', import.meta.url), 'utf8'));
const hash = createHash('sha256').update(body).digest('hex');

export const STYLESHEET: { readonly href: string; readonly body: string; readonly etag: string } = Object.freeze({
  href: `/assets/pages.${hash.slice(0, 10)}.css`,
  body,
  etag: `"${hash.slice(0, 32)}"`,
});
