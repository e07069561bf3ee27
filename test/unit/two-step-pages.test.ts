import { describe, expect, it } from 'vitest';
import { acceptAction, groupedSecret, twoStepCodePage, twoStepEnrolmentPage, twoStepLockedPage } from '../../shared/http/pages';
import { qrSvg } from '../../shared/security/qr';

const SECRET = 'HE7X5DKLZNSUI5I2Q7ZA4LS3M6YDVGKE';
const qr = qrSvg(`otpauth://totp/guestpass:x?secret=${SECRET}`);

describe('the two-step pages', () => {
  it('enrolment: the QR code inline, the secret grouped for typing, and a labelled one-time-code field posting to the given action', () => {
    const html = twoStepEnrolmentPage({ action: '/verify/tok_1', siteName: 'Acme <Wiki>', secret: SECRET, qrSvg: qr });
    expect(html).toContain(qr);
    expect(groupedSecret(SECRET)).toBe('HE7X 5DKL ZNSU I5I2 Q7ZA 4LS3 M6YD VGKE');
    expect(html).toContain('<p class="secret">HE7X 5DKL ZNSU I5I2 Q7ZA 4LS3 M6YD VGKE</p>');
    expect(html).toContain('<form method="post" action="/verify/tok_1">');
    expect(html).toContain('<label for="totpCode">');
    expect(html).toMatch(/<input id="totpCode" name="totpCode" inputmode="numeric" autocomplete="one-time-code" pattern="\[0-9\]\{6\}"[^>]* required/);
    expect(html).toContain('Acme &lt;Wiki&gt;');
    expect(html).not.toContain('<Wiki>');
    expect(html).not.toMatch(/<script|javascript:|\son\w+=/i);
    expect(html).not.toContain('role="alert"');
  });

  it('carries the given fields along (escaped, empty ones left out) and shows a refusal tied to the field', () => {
    const html = twoStepCodePage({
      action: acceptAction('a/b'),
      siteName: 'Acme',
      carry: { displayName: '"><script>x</script>', note: '', gone: undefined },
      error: 'That code is not right. 4 attempts left before a 15-minute lock.',
      submitLabel: 'Verify and accept',
    });
    expect(html).toContain('<form method="post" action="/invitations/a%2Fb/accept">');
    expect(html).toContain('<input type="hidden" name="displayName" value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;">');
    expect(html).not.toContain('name="note"');
    expect(html).not.toContain('name="gone"');
    expect(html).toContain('<p class="error" id="totpCode-error" role="alert">That code is not right. 4 attempts left before a 15-minute lock.</p>');
    expect(html).toContain('aria-describedby="totpCode-error totpCode-hint" aria-invalid="true"');
    expect(html).toContain('>Verify and accept</button>');
    expect(html).not.toContain(SECRET);
    expect(html).not.toContain('<svg');
  });

  it('the lock page says why, from when to try again, and whom to ask', () => {
    const html = twoStepLockedPage({
      message: 'After 5 wrong codes in a row, two-step verification is locked for 15 minutes. Try again in 15 minutes.',
      liftsAt: new Date('2026-03-03T14:20:00Z'),
      askWhom: 'Ada <Admin>',
    });
    expect(html).toContain('<h1>Too many wrong codes</h1>');
    expect(html).toContain('locked for 15 minutes');
    expect(html).toContain('You can try again from <strong>Tuesday, 3 March 2026, 14:20 UTC</strong>');
    expect(html).toContain('ask Ada &lt;Admin&gt; to reset your two-step verification');
    expect(html).not.toContain('<form');
  });
});
