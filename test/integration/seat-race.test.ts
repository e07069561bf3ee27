import { beforeAll, describe, expect, it } from 'vitest';
import { createSite, getSite } from '../../shared/directory/sites';
import { inviteOne } from '../../shared/directory/invitations';
import { newInvitationId, newUserId } from '../../shared/ids';
import type { Directory } from '../../shared/directory/directory';
import type { SiteItem } from '../../shared/directory/entities/site';
import { freshDirectory, scanAll } from '../support/directory';

/**
 * The seat rules under real concurrency, against DynamoDB Local: many one-address invites race
 * for the last seats, and the transactions' conditions alone decide who gets them.
 */
let db: Directory;
beforeAll(async () => {
  db = await freshDirectory('seats');
});

async function siteWith(siteId: string, options: { userLimit: number; guestRatio: number; admins: number }): Promise<SiteItem> {
  const now = new Date().toISOString();
  const { site } = await createSite(
    db,
    {
      siteId,
      name: siteId,
      orgId: `org-${siteId}`,
      plan: 'standard',
      userLimit: options.userLimit,
      guestRatio: options.guestRatio,
      inviteExpiryDays: 7,
      admins: Array.from({ length: options.admins }, (_, index) => ({ email: `admin${index}@${siteId}.example`, role: 'site-admin' as const })),
    },
    'operator',
    now,
  );
  return site;
}

function invite(site: SiteItem, email: string, kind: 'guest' | 'paid') {
  const now = new Date();
  return inviteOne(db, {
    site,
    email,
    kind,
    roles: { wiki: kind === 'guest' ? 'guest' : 'user' },
    groups: [],
    invitedBy: 'admin',
    inviterName: 'Admin',
    userId: newUserId(),
    invitationId: newInvitationId(),
    now: now.toISOString(),
    expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
  });
}

async function peopleOf(siteId: string) {
  const items = await scanAll(db);
  const people = items.filter((item) => item.type === 'person' && item.siteId === siteId);
  return {
    people,
    guests: people.filter((person) => person.kind === 'guest').length,
    paid: people.filter((person) => person.kind === 'paid').length,
    claims: items.filter((item) => item.type === 'email-claim' && String(item.pk) === `SITE#${siteId}`).length,
    invitations: items.filter((item) => item.type === 'invitation' && item.siteId === siteId).length,
  };
}

describe('seat race', () => {
  it('lets exactly N of 10×N concurrent guest invites take the N free guest seats', async () => {
    // Given a site with 1 paid admin and ratio 3: room for exactly 3 guests
    const site = await siteWith('race-guests', { userLimit: 100, guestRatio: 3, admins: 1 });
    const attempts = 30;

    // When 30 different addresses are invited at once
    const outcomes = await Promise.all(Array.from({ length: attempts }, (_, index) => invite(site, `g${index}@partner.example`, 'guest')));

    // Then exactly 3 got in and everyone else was told why
    expect(outcomes.filter((outcome) => outcome.invited)).toHaveLength(3);
    for (const outcome of outcomes.filter((o) => !o.invited)) expect(outcome).toEqual({ invited: false, reason: 'guest_limit_reached' });
    const stored = await peopleOf('race-guests');
    const counters = await getSite(db, 'race-guests');
    expect(stored.guests).toBe(3);
    expect(counters).toMatchObject({ guests: 3, paid: 1, ratioRoom: 0, userRoom: 96 });
    // No orphans: one address claim and one invitation per invited person, admins' claims included
    expect(stored.claims).toBe(stored.people.length);
    expect(stored.invitations).toBe(3);
  });

  it('lets exactly N of 10×N concurrent paid invites take the last N places under the user limit', async () => {
    const site = await siteWith('race-users', { userLimit: 5, guestRatio: 5, admins: 2 });
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, index) => invite(site, `u${index}@corp.example`, 'paid')));
    expect(outcomes.filter((outcome) => outcome.invited)).toHaveLength(3);
    for (const outcome of outcomes.filter((o) => !o.invited)) expect(outcome).toEqual({ invited: false, reason: 'user_limit_reached' });
    const stored = await peopleOf('race-users');
    expect(stored.paid).toBe(5);
    expect(await getSite(db, 'race-users')).toMatchObject({ paid: 5, guests: 0, userRoom: 0, ratioRoom: 25 });
  });

  it('never lets guests and paid users racing together break either rule', async () => {
    const site = await siteWith('race-mixed', { userLimit: 8, guestRatio: 2, admins: 1 });
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, index) => invite(site, `m${index}@mixed.example`, index % 2 === 0 ? 'guest' : 'paid')),
    );
    const counters = (await getSite(db, 'race-mixed'))!;
    const stored = await peopleOf('race-mixed');
    expect(counters.paid + counters.guests).toBeLessThanOrEqual(8);
    expect(counters.guests).toBeLessThanOrEqual(2 * counters.paid);
    expect(stored.paid).toBe(counters.paid);
    expect(stored.guests).toBe(counters.guests);
    expect(counters.userRoom).toBe(8 - counters.paid - counters.guests);
    expect(counters.ratioRoom).toBe(2 * counters.paid - counters.guests);
    expect(outcomes.filter((outcome) => outcome.invited)).toHaveLength(counters.paid + counters.guests - 1);
  });

  it('refuses the same address twice even when both invites race', async () => {
    const site = await siteWith('race-address', { userLimit: 100, guestRatio: 5, admins: 1 });
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => invite(site, 'same@partner.example', 'guest')));
    expect(outcomes.filter((outcome) => outcome.invited)).toHaveLength(1);
    expect(outcomes.filter((outcome) => !outcome.invited && outcome.reason === 'already_member')).toHaveLength(9);
    expect(await getSite(db, 'race-address')).toMatchObject({ guests: 1 });
  });
});
