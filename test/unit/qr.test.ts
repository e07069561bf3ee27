import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { qrSvg } from '../../shared/security/qr';
import { newTotpSecret, otpauthUrl } from '../../shared/security/totp';

describe('qrSvg', () => {
  it('is exactly the SVG markup QRCode.toString(…, { type: "svg" }) makes, without loading the package entry point', async () => {
    const url = otpauthUrl(newTotpSecret(), 'Acme Wiki', 'ann@partner.example');
    const svg = qrSvg(url);
    expect(svg).toBe((await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 })).trim());
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+" shape-rendering="crispEdges">/);
    expect(svg.endsWith('</svg>')).toBe(true);
  });

  it('is inline markup only: no script, no external reference, and the data is not in it as text', () => {
    const url = otpauthUrl(newTotpSecret(), '<script>alert(1)</script>', 'ann@partner.example');
    const svg = qrSvg(url);
    expect(svg).not.toMatch(/<script|href=|xlink|javascript:|<image|<foreignObject/i);
    expect(svg).not.toContain('otpauth');
  });
});
