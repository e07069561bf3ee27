import { describe, expect, it } from 'vitest';
import { LinkRefusal, linkRefusal } from '../../shared/domain/links';
import { acceptedPage, invitationPage, linkProblemPage, reverificationPage } from '../../shared/http/pages';

const invitation = {
  token: 'tok_1',
  siteName: 'Acme <Docs>',
  inviterName: 'Ada Admin',
  email: 'bea@partner.example',
  kind: 'guest' as const,
  expiresAt: '2026-03-10T09:30:00.000Z',
};

const textOf = (html: string) => html.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('the invitation page', () => {
  it('says who invited whom to which site and space, quotes the message, gives the expiry and every step after accepting', () => {
    const html = invitationPage({ ...invitation, spaceKey: 'ENG', spaceName: 'Engineering', message: 'Hi Bea,\n<b>see you</b> there', twoStepRequired: true });
    expect(html).toContain('<h1>Ada Admin invited you to Acme &lt;Docs&gt;</h1>');
    expect(html).toContain('<strong>bea@partner.example</strong> as a guest');
    expect(html).toContain('<strong>Engineering</strong> (ENG)');
    expect(html).toContain('<h2>Message from Ada Admin</h2>');
    // Escaped, its line break kept (the stylesheet's pre-line), never markup.
    expect(html).toContain('<blockquote class="message">Hi Bea,\n&lt;b&gt;see you&lt;/b&gt; there</blockquote>');
    expect(html).toContain('expires on <strong>Tuesday, 10 March 2026, 09:30 UTC</strong>');
    const steps = [...html.matchAll(/<li>([^<]*)<\/li>/g)].map((match) => match[1]);
    expect(steps).toHaveLength(3);
    expect(steps[0]).toContain('two-step verification');
    expect(steps[1]).toContain('Engineering');
    expect(steps[2]).toContain('welcome email to bea@partner.example');
    expect(html).toMatch(/<label for="displayName">Your name/);
    expect(html).toContain('<form method="post" action="/invitations/tok_1/accept">');
    expect(html).not.toMatch(/<script|\son\w+=|style=/i);
  });

  it('without a space or two-step, says the guest waits for a space from the inviter, and leaves out an empty message', () => {
    const html = invitationPage({ ...invitation, message: '   ' });
    const steps = [...html.matchAll(/<li>([^<]*)<\/li>/g)].map((match) => match[1]);
    expect(steps).toHaveLength(2);
    expect(steps[0]).toContain('Wait for Ada Admin or another administrator of Acme &lt;Docs&gt; to give you a space');
    expect(html).not.toContain('Message from');
    expect(html).not.toContain('two-step');
  });
});

describe('the accepted page', () => {
  it('names nobody and says what comes next for each known step, and something true for anything else', () => {
    expect(textOf(acceptedPage('space'))).toContain('An administrator of the site gives you a space');
    expect(textOf(acceptedPage('ready'))).toContain('switching your access on now');
    expect(textOf(acceptedPage(undefined))).toContain('as soon as your access is ready');
    for (const next of ['space', 'ready', undefined] as const) expect(acceptedPage(next)).toContain('Your invitation is accepted');
  });
});

describe('the link problem pages', () => {
  it('name the invitation’s own inviter in the next step of expired, used and revoked links', () => {
    expect(textOf(linkProblemPage('invitation_expired', 'invitation', 'Ada Admin'))).toContain('Ask Ada Admin for a new invitation.');
    expect(textOf(linkProblemPage('invitation_revoked', 'invitation', 'Ada Admin'))).toContain('Otherwise ask Ada Admin for a new invitation');
    expect(textOf(linkProblemPage('invitation_used', 'invitation', 'Ada Admin'))).toContain('If you did not accept it, tell Ada Admin.');
    expect(linkProblemPage('invitation_expired', 'invitation', '<Eve>')).toContain('Ask &lt;Eve&gt; for a new invitation.');
  });

  it('fall back to "the person who invited you", and an unknown link names nobody even when given a name', () => {
    expect(textOf(linkProblemPage('invitation_expired'))).toContain('Ask the person who invited you for a new invitation.');
    const unknown = linkProblemPage('not_found', 'invitation', 'Ada Admin');
    expect(unknown).toContain('<h1>Link not recognised</h1>');
    expect(unknown).not.toContain('Ada Admin');
    expect(textOf(unknown)).toContain('ask the person who invited you to send the invitation again');
  });

  it('come from refusals that carry the inviter of the invitation only, outside the error body', () => {
    const base = { status: 'pending' as const, tokenDigest: 'd1', expiresAt: '2026-03-10T00:00:00Z', inviterName: 'Ada Admin' };
    const now = new Date('2026-03-11T00:00:00Z');
    const expired = linkRefusal(base, 'd1', now);
    expect(expired).toBeInstanceOf(LinkRefusal);
    expect(expired).toMatchObject({ code: 'invitation_expired', inviterName: 'Ada Admin', details: undefined });
    expect(linkRefusal({ ...base, status: 'accepted' }, 'd1', now)).toMatchObject({ code: 'invitation_used', inviterName: 'Ada Admin' });
    expect(linkRefusal(base, 'another', now)).toMatchObject({ code: 'invitation_revoked', inviterName: 'Ada Admin' });
    const unknown = linkRefusal(null, 'd1', now);
    expect(unknown).not.toBeInstanceOf(LinkRefusal);
    expect(unknown?.code).toBe('not_found');
  });
});

describe('the re-verification page', () => {
  it('labels the code field, says what confirming does and until when the link works', () => {
    const html = reverificationPage({ token: 't', siteName: 'Acme', email: 'bea@partner.example', status: 'suspended', expiresAt: '2026-03-10T09:30:00.000Z', twoStepRequired: true, twoStepEnrolled: true });
    expect(html).toContain('<label for="totpCode">6-digit code from your authenticator app</label>');
    expect(html).toContain('aria-describedby="totpCode-hint"');
    expect(textOf(html)).toContain('Your access to Acme comes back at once.');
    expect(textOf(html)).toContain('This link works until Tuesday, 10 March 2026, 09:30 UTC, once.');
  });
});
