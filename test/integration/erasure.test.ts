import { beforeAll, describe, expect, it } from 'vitest';
import { createSite, getSite } from '../../shared/directory/sites';
import { inviteOne } from '../../shared/directory/invitations';
import { deletePerson, ERASURE_GRACE_DAYS } from '../../shared/directory/people/departure';
import { eraseDueTombstones } from '../../shared/directory/people/erasure';
import { newInvitationId, newUserId } from '../../shared/ids';
import type { Directory } from '../../shared/directory/directory';
import { freshDirectory, scanAll } from '../support/directory';

/** Deletion with a controllable clock: the job is run "now" and "after the grace period". */
let db: Directory;
beforeAll(async () => {
  db = await freshDirectory('erasure');
});

async function invite(siteId: string, email: string, kind: 'guest' | 'paid') {
  const site = (await getSite(db, siteId))!;
  const userId = newUserId();
  const now = new Date().toISOString();
  const outcome = await inviteOne(db, {
    site, email, kind, roles: { wiki: kind === 'guest' ? 'guest' : 'user' }, groups: [], invitedBy: 'admin', inviterName: 'Admin',
    userId, invitationId: newInvitationId(), now, expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  });
  return { userId, outcome };
}

describe('delete and erase', () => {
  it('keeps personal data only until the grace period ends, then erases it; the paid marker stays', async () => {
    await createSite(db, { siteId: 'erase', name: 'Erase', orgId: 'org-erase', plan: 'standard', userLimit: 20, guestRatio: 5, inviteExpiryDays: 7, admins: [{ email: 'admin@erase.example', role: 'site-admin' }] }, 'operator', new Date().toISOString());
    const paid = await invite('erase', 'leaver@corp.example', 'paid');
    const guest = await invite('erase', 'visitor@partner.example', 'guest');
    const deletedAt = new Date('2026-01-01T00:00:00.000Z');
    await deletePerson(db, 'erase', paid.userId, 'admin', deletedAt.toISOString());
    await deletePerson(db, 'erase', guest.userId, 'admin', deletedAt.toISOString());
    expect(await getSite(db, 'erase')).toMatchObject({ paid: 1, guests: 0 });

    const contains = async (text: string) => JSON.stringify(await scanAll(db)).includes(text);
    expect(await contains('leaver@corp.example')).toBe(true); // in the tombstone, during the grace period

    const dayBefore = new Date(deletedAt.getTime() + (ERASURE_GRACE_DAYS - 1) * 86_400_000);
    expect(await eraseDueTombstones(db, dayBefore)).toBe(0);
    expect(await contains('leaver@corp.example')).toBe(true);

    const afterGrace = new Date(deletedAt.getTime() + ERASURE_GRACE_DAYS * 86_400_000);
    expect(await eraseDueTombstones(db, afterGrace)).toBe(2);
    expect(await contains('leaver@corp.example')).toBe(false);
    expect(await contains('visitor@partner.example')).toBe(false);
    expect(await eraseDueTombstones(db, afterGrace)).toBe(0);

    // The former paid user is still known (by hash) and can never come back as a guest; the guest can
    const again = await invite('erase', 'leaver@corp.example', 'guest');
    expect(again.outcome).toEqual({ invited: false, reason: 'paid_user_conversion_forbidden' });
    expect((await invite('erase', 'visitor@partner.example', 'guest')).outcome).toEqual({ invited: true });

    const events = (await scanAll(db)).filter((item) => item.type === 'audit').map((item) => item.action);
    expect(events.filter((action) => action === 'person.deleted')).toHaveLength(2);
    expect(events.filter((action) => action === 'person.erased')).toHaveLength(2);
  });
});
