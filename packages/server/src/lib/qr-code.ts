/**
 * QR codes for payment links (invoice page, open-invoice checkout), as SVG for pages and PNG for
 * downloads and e-mail. Error correction M, a quiet zone of two modules. The same few links are
 * asked for over and over, so results are kept in a small cache (a link's code never changes).
 */
import QRCode from 'qrcode';
import { TtlCache } from './ttl-cache.ts';

const ERROR_CORRECTION = 'M';
const MARGIN = 2;
const PNG_WIDTH = 512;
/** Rendered size of the SVG when the page does not size it (it scales freely: viewBox). */
const SVG_DISPLAY_SIZE = 256;
const CACHE_ENTRIES = 1_000;

const svgCache = new TtlCache<string, string>(Infinity, CACHE_ENTRIES);
const pngCache = new TtlCache<string, Buffer>(Infinity, CACHE_ENTRIES);

/**
 * The QR code of `text` as a standalone SVG document (`<svg xmlns=… viewBox=…>`), usable inline
 * or as an `<img>` source. It declares 256×256 so an unstyled `<img>` is a sensible size; CSS
 * width/height override that and the drawing scales with the viewBox. Throws when `text` is empty
 * or too long for a QR code.
 */
export function qrSvg(text: string): string {
  const cached = svgCache.get(text);
  if (cached !== undefined) return cached;
  const svg = renderSvg(text);
  svgCache.set(text, svg);
  return svg;
}

/**
 * The QR code of `text` as a PNG about 512 pixels wide. Repeated calls share one Buffer: treat it
 * as read-only. Rejects when `text` is empty or too long for a QR code (a failure is not cached).
 */
export async function qrPng(text: string): Promise<Buffer> {
  const cached = pngCache.get(text);
  if (cached !== undefined) return cached;
  const png = await QRCode.toBuffer(text, {
    type: 'png',
    errorCorrectionLevel: ERROR_CORRECTION,
    margin: MARGIN,
    width: PNG_WIDTH,
  });
  pngCache.set(text, png);
  return png;
}

function renderSvg(text: string): string {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: ERROR_CORRECTION });
  const size = modules.size;
  const full = size + 2 * MARGIN;
  // One horizontal run of dark modules per subpath: `M x y h n v 1 h -n z` (filled rectangles).
  let path = '';
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (!modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && modules.get(row, col)) col++;
      const run = col - start;
      path += `M${start + MARGIN} ${row + MARGIN}h${run}v1h-${run}z`;
    }
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${full} ${full}" ` +
    `width="${SVG_DISPLAY_SIZE}" height="${SVG_DISPLAY_SIZE}" shape-rendering="crispEdges">` +
    `<rect width="${full}" height="${full}" fill="#ffffff"/>` +
    `<path fill="#000000" d="${path}"/>` +
    `</svg>`
  );
}
