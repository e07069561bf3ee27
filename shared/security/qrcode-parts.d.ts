/**
 * Types of the two qrcode modules the enrolment page uses directly: the encoder and the SVG
 * renderer that `QRCode.toString(text, { type: 'svg' })` itself combines. The package's entry
 * point also loads its PNG renderer (pngjs) and terminal renderers, about 36 KB of bundle that
 * would never run here. @types/qrcode types only the entry point; these follow its shapes.
 */
declare module 'qrcode/lib/core/qrcode.js' {
  import type { QRCode, QRCodeOptions } from 'qrcode';
  export function create(text: string, options?: QRCodeOptions): QRCode;
}

declare module 'qrcode/lib/renderer/svg-tag.js' {
  import type { QRCode, QRCodeRenderersOptions } from 'qrcode';
  export function render(qrData: QRCode, options?: QRCodeRenderersOptions): string;
}
