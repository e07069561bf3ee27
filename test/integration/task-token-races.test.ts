import { beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../shared/directory/directory';
import { inviteOne } from '../../shared/directory/invitations';
import { claimInvitationSend } from '../../shared/directory/onboarding/email-lease';
import { acceptInvitation, openInvitationLink } from '../../shared/directory/onboarding/links';
import { storeAcceptTaskToken, storeSpaceTaskToken } from '../../shared/directory/onboarding/task-tokens';
import { assignSpace } from '../../shared/directory/onboarding/space-assignment';
import { createSpace } from '../../shared/directory/spaces';
import { createSite, getSite } from '../../shared/directory/sites';
import { newInvitationId, newUserId } from '../../shared/ids';
import { beforeFirstTransaction, freshDirectory } from '../support/directory';

/**
 * Whoever comes second completes the waiting task, and nobody misses a token stored meanwhile.
 * The acceptance learns the waiting task's token from the read it already made, not a second one:
 * its transaction is conditioned on that token, so a token stored between the read and the write
 * is never missed (the acceptance tries again and answers the stored token), and one stored after
 * the acceptance finds the invitation accepted (the workflow then moves on by itself).
 */
let db: Directory;
beforeAll(async () => {
  db = await freshDirectory('acceptance-token');
  await createSite(db, { siteId: 'tokens', name: 'Tokens', orgId: 'org-tokens', plan: 'standard', userLimit: 50, guestRatio: 5, inviteExpiryDays: 7, admins: [{ email: 'admin@tokens.example', role: 'site-admin' }] }, 'operator', new Date().toISOString());
  await createSpace(db, { siteId: 'tokens', key: 'ENG', name: 'Engineering', anonymousAccess: false }, 'operator', new Date().toISOString());
});

let counter = 0;
async function openedLink(beforeOpening?: (invitationId: string) => Promise<void>) {
  const at = new Date();
  const invitationId = newInvitationId();
  const outcome = await inviteOne(db, {
    site: (await getSite(db, 'tokens'))!, email: `guest${++counter}@partner.example`, kind: 'guest', roles: { wiki: 'guest' }, groups: [], invitedBy: 'usr_admin', inviterName: 'Ada Admin',
    userId: newUserId(), invitationId, now: at.toISOString(), expiresAt: new Date(at.getTime() + 86_400_000).toISOString(),
  });
  expect(outcome).toMatchObject({ invited: true });
  const claim = await claimInvitationSend(db, 'tokens', invitationId, at);
  if (claim.kind !== 'claimed') throw new Error(`claim: ${claim.kind}`);
  await beforeOpening?.(invitationId);
  return { invitationId, open: await openInvitationLink(db, claim.token, at), at };
}

describe('the accept task token', () => {
  it('is the one stored before the link was opened', async () => {
    const { open, at } = await openedLink(async (invitationId) => {
      expect(await storeAcceptTaskToken(db, 'tokens', invitationId, 'token-before')).toBe('stored');
    });
    const accepted = await acceptInvitation(db, open, 'Gina Guest', at);
    expect(accepted.acceptTaskToken).toBe('token-before');
    expect(accepted.person).toMatchObject({ status: 'invited', displayName: 'Gina Guest', acceptedAt: at.toISOString() });
  });

  it('is found when the workflow stores it between the read and the acceptance', async () => {
    const { invitationId, open, at } = await openedLink();
    expect(open.invitation.acceptTaskToken).toBeUndefined();
    expect(await storeAcceptTaskToken(db, 'tokens', invitationId, 'token-meanwhile')).toBe('stored');
    const accepted = await acceptInvitation(db, open, undefined, at);
    expect(accepted.acceptTaskToken).toBe('token-meanwhile');
  });

  it('is refused to a workflow that comes after the acceptance, which then sees it accepted', async () => {
    const { invitationId, open, at } = await openedLink();
    const accepted = await acceptInvitation(db, open, undefined, at);
    expect(accepted.acceptTaskToken).toBeUndefined();
    expect(await storeAcceptTaskToken(db, 'tokens', invitationId, 'token-late')).not.toBe('stored');
  });
});

describe('the space task token', () => {
  it('is found when the workflow parks it between the assignment’s read and its write', async () => {
    const { open, at } = await openedLink();
    const userId = open.invitation.userId;
    await acceptInvitation(db, open, undefined, at);
    const assigned = await assignSpace(beforeFirstTransaction(db, () => storeSpaceTaskToken(db, 'tokens', userId, 'space-token-meanwhile')), 'tokens', userId, 'ENG', 'usr_admin', at.toISOString());
    // The assignment answers the token, so its use case completes the wait.
    expect(assigned).toMatchObject({ spaceKey: 'ENG', spaceTaskToken: 'space-token-meanwhile' });
  });

  it('is refused to a workflow that comes after the assignment, which then sees the space', async () => {
    const { open, at } = await openedLink();
    const userId = open.invitation.userId;
    await acceptInvitation(db, open, undefined, at);
    const assigned = await assignSpace(db, 'tokens', userId, 'ENG', 'usr_admin', at.toISOString());
    expect(assigned.spaceTaskToken).toBeUndefined();
    expect(await storeSpaceTaskToken(db, 'tokens', userId, 'space-token-late')).toBe('already-done');
  });
});
