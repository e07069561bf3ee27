import { create } from 'qrcode/lib/core/qrcode.js';
import { render } from 'qrcode/lib/renderer/svg-tag.js';

/**
 * `text` as a QR code in an inline `<svg>` element, the markup `QRCode.toString(text, { type: 'svg' })`
 * produces, built from the same two modules that call uses (see qrcode-parts.d.ts for why not the
 * entry point). Inline, because the pages' CSP loads no images. Error correction M and the standard
 * four-module quiet zone scan reliably from a screen.
 */
export function qrSvg(text: string): string {
  return render(create(text, { errorCorrectionLevel: 'M' }), { errorCorrectionLevel: 'M', margin: 4 }).trim();
}
