import { beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../shared/directory/directory';
import { listAuditEvents } from '../../shared/directory/audit-log';
import { createGroup } from '../../shared/directory/group-catalog';
import { getGroup } from '../../shared/directory/groups/read';
import { inviteOne, requireInvitation } from '../../shared/directory/invitations';
import { emailClaimKey } from '../../shared/directory/entities/email-claim';
import { PersonItem, personKey } from '../../shared/directory/entities/person';
import type { GroupItem } from '../../shared/directory/entities/group';
import type { SiteItem } from '../../shared/directory/entities/site';
import { acceptInvitation, openInvitationLink } from '../../shared/directory/onboarding/links';
import { activatePerson } from '../../shared/directory/onboarding/activation';
import { assignSpace } from '../../shared/directory/onboarding/space-assignment';
import { claimInvitationSend } from '../../shared/directory/onboarding/email-lease';
import { deletePerson, endPendingInvitation, removeAppAccess } from '../../shared/directory/people/departure';
import { listGuests } from '../../shared/directory/people/guest-list';
import { promoteGuest } from '../../shared/directory/people/promotion';
import { unassignSpace } from '../../shared/directory/people/space';
import { deactivatePerson, reactivatePerson } from '../../shared/directory/people/status';
import { readItem } from '../../shared/directory/reads';
import { createSite, getSite } from '../../shared/directory/sites';
import { createSpace } from '../../shared/directory/spaces';
import { ACCESS_CLIENTS } from '../../shared/domain/access';
import { AppError } from '../../shared/domain/errors';
import { MEMBER_STATUSES } from '../../shared/domain/vocabulary';
import { newGroupId, newInvitationId, newUserId } from '../../shared/ids';
import { accessFor } from '../../shared/usecases/access';
import { freshDirectory, scanAll } from '../support/directory';

/**
 * Rule 11 against DynamoDB Local: removing a guest's app access keeps the person as `removed` —
 * no seat, space, group, access or list entry, history and audit trail intact — and inviting the
 * address again brings back that same person, under every invite rule, also when removals and
 * invitations of one address race.
 */
let db: Directory;
beforeAll(async () => {
  db = await freshDirectory('removal');
});

const SEATED = new Set(['invited', 'active', 'suspended']);
const SPACES = ['ENG', 'MKT', 'PUB'];
const now = () => new Date().toISOString();
let siteCounter = 0;

interface TestSite {
  readonly siteId: string;
  readonly adminId: string;
}

async function newSite(options: { userLimit?: number; guestRatio?: number } = {}): Promise<TestSite> {
  const siteId = `removal-${++siteCounter}`;
  const { admins } = await createSite(
    db,
    {
      siteId,
      name: siteId,
      orgId: `org-${siteId}`,
      plan: 'standard',
      userLimit: options.userLimit ?? 100,
      guestRatio: options.guestRatio ?? 5,
      inviteExpiryDays: 7,
      admins: [{ email: `admin@${siteId}.example`, role: 'site-admin' }],
    },
    'operator',
    now(),
  );
  const adminId = admins[0]!.userId;
  for (const key of SPACES) await createSpace(db, { siteId, key, name: key, anonymousAccess: key === 'PUB' }, adminId, now());
  return { siteId, adminId };
}

const siteOf = async (t: TestSite): Promise<SiteItem> => (await getSite(db, t.siteId))!;

/** Invites `email` the way the invite route does (a fresh id offered); answers the id the person has and the outcome. */
async function invite(t: TestSite, email: string, options: { kind?: 'guest' | 'paid'; spaceKey?: string; groups?: GroupItem[] } = {}) {
  const kind = options.kind ?? 'guest';
  const at = new Date();
  const offered = newUserId();
  const invitationId = newInvitationId();
  const outcome = await inviteOne(db, {
    site: await siteOf(t),
    email,
    kind,
    roles: { wiki: kind === 'guest' ? 'guest' : 'user' },
    groups: options.groups ?? [],
    spaceKey: options.spaceKey,
    invitedBy: t.adminId,
    inviterName: 'Admin',
    userId: offered,
    invitationId,
    now: at.toISOString(),
    expiresAt: new Date(at.getTime() + 86_400_000).toISOString(),
  });
  return { userId: (outcome.invited && outcome.userId) || offered, offered, invitationId, outcome };
}

/** Link issued, opened, accepted, activated: the onboarding without the workflow. Answers the link's token. */
async function onboard(t: TestSite, userId: string, invitationId: string): Promise<string> {
  const at = new Date();
  const claim = await claimInvitationSend(db, t.siteId, invitationId, at);
  if (claim.kind !== 'claimed') throw new Error(`claim: ${claim.kind}`);
  await acceptInvitation(db, await openInvitationLink(db, claim.token, at), 'Rae Turner', at);
  expect(await activatePerson(db, t.siteId, userId, invitationId, now())).toMatchObject({ status: 'active' });
  return claim.token;
}

const stored = async (t: TestSite, userId: string) => (await scanAll(db)).find((item) => item.type === 'person' && item.siteId === t.siteId && item.userId === userId);
const person = async (t: TestSite, userId: string) => (await readItem(db, personKey(t.siteId, userId), PersonItem))!;

async function trail(t: TestSite, userId: string): Promise<string[]> {
  const { events } = await listAuditEvents(db, t.siteId, { limit: 100 });
  return events
    .filter((event) => event.target === userId)
    .reverse()
    .map((event) => event.action);
}

/** The seat rules, the counters, the space and group counts and the address claims against what is stored. */
async function checkConsistent(t: TestSite) {
  const items = (await scanAll(db)).filter((item) => String(item.pk) === `SITE#${t.siteId}`);
  const people = items.filter((item) => item.type === 'person');
  const seated = people.filter((item) => SEATED.has(String(item.status)));
  const paid = seated.filter((item) => item.kind === 'paid').length;
  const guests = seated.filter((item) => item.kind === 'guest').length;
  const site = await siteOf(t);
  expect({ paid: site.paid, guests: site.guests }).toEqual({ paid, guests });
  expect({ userRoom: site.userRoom, ratioRoom: site.ratioRoom }).toEqual({ userRoom: site.userLimit - paid - guests, ratioRoom: site.seatRatio * paid - guests });
  expect(guests).toBeLessThanOrEqual(site.seatRatio * paid);
  for (const space of items.filter((item) => item.type === 'space')) {
    expect(space.guestCount, String(space.key)).toBe(people.filter((item) => item.spaceKey === space.key).length);
  }
  for (const group of items.filter((item) => item.type === 'group')) {
    const memberships = items.filter((item) => item.type === 'membership' && item.groupId === group.groupId);
    expect(group.memberCount).toBe(memberships.length);
    expect(people.filter((item) => (item.groups as string[]).includes(String(group.groupId))).length).toBe(memberships.length);
  }
  // One claim per person, pointing at them, removed people included
  const claims = items.filter((item) => item.type === 'email-claim');
  expect(claims.map((claim) => `${String(claim.sk)}>${String(claim.userId)}`).sort()).toEqual(people.map((item) => `EMAIL#${String(item.email)}>${String(item.userId)}`).sort());
  // A removed person holds nothing: no space, group, pending invitation, or member index key
  for (const removed of people.filter((item) => item.status === 'removed')) {
    expect(removed).not.toHaveProperty('spaceKey');
    expect(removed.groups).toEqual([]);
    for (const key of ['gsi2pk', 'gsi3pk', 'gsi4pk']) expect(removed, key).not.toHaveProperty(key);
    expect(removed.gsi1pk).toBe(`SITE#${t.siteId}#REMOVED#${String(removed.kind)}`);
  }
  // Nobody has a pending invitation but their current one, and an invited person's current one is still open
  const invitations = items.filter((item) => item.type === 'invitation');
  for (const someone of people) {
    const pending = invitations.filter((item) => item.userId === someone.userId && item.status === 'pending').map((item) => item.invitationId);
    expect(pending.filter((invitationId) => someone.status !== 'invited' || invitationId !== someone.invitationId)).toEqual([]);
    if (someone.status === 'invited') expect(['pending', 'accepted']).toContain(invitations.find((item) => item.invitationId === someone.invitationId)?.status);
  }
  return { people, items };
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => new Error('expected a refusal'),
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('removing app access (rule 11)', () => {
  it('keeps the person as removed: no seat, space, group, access, list entry or re-verification entry; history and audit kept', async () => {
    const t = await newSite();
    const group = await createGroup(db, { siteId: t.siteId, groupId: newGroupId(), name: 'Partners', role: 'none' }, t.adminId, now());
    const { userId, invitationId, outcome } = await invite(t, 'rae@partner.example', { spaceKey: 'ENG', groups: [group] });
    expect(outcome).toEqual({ invited: true });
    await onboard(t, userId, invitationId);
    const active = await stored(t, userId);
    expect(active).toMatchObject({ status: 'active', spaceKey: 'ENG', gsi4pk: expect.stringContaining('#VERIFY#guest#') });
    expect(await siteOf(t)).toMatchObject({ guests: 1 });

    await removeAppAccess(db, t.siteId, userId, t.adminId, now());

    const removed = await person(t, userId);
    expect(removed).toMatchObject({ userId, email: 'rae@partner.example', displayName: 'Rae Turner', kind: 'guest', status: 'removed', groups: [], invitationId, activatedAt: active!.activatedAt });
    expect(removed.removedAt).toEqual(expect.any(String));
    expect(removed).not.toHaveProperty('spaceKey');
    expect(await readItem(db, emailClaimKey(t.siteId, 'rae@partner.example'), { parse: (item) => item as { userId: string } })).toMatchObject({ userId });
    expect(await siteOf(t)).toMatchObject({ guests: 0 });
    expect(await getGroup(db, t.siteId, group.groupId)).toMatchObject({ memberCount: 0 });
    await checkConsistent(t);

    // On no guest list, under any filter
    for (const filter of [{}, ...MEMBER_STATUSES.map((status) => ({ status })), ...SPACES.map((spaceKey) => ({ spaceKey })), { noSpace: true }]) {
      expect((await listGuests(db, t.siteId, { ...filter, limit: 100 })).guests.map((guest) => guest.userId), JSON.stringify(filter)).not.toContain(userId);
    }
    // Allowed nowhere, from no client, not even an anonymous space
    for (const spaceKey of SPACES) {
      for (const client of ACCESS_CLIENTS) {
        expect(await accessFor(db, t.siteId, { userId, spaceKey, client }, new Date())).toEqual({ allowed: false, reason: 'not_active' });
      }
    }
    expect(await trail(t, userId)).toEqual(['person.invited', 'invitation.accepted', 'person.activated', 'guest.app_access_removed']);

    // Removing again changes nothing and writes nothing
    await removeAppAccess(db, t.siteId, userId, t.adminId, now());
    expect(await trail(t, userId)).toHaveLength(4);
    // Only deleting and inviting again act on a removed person
    for (const operation of [
      () => deactivatePerson(db, t.siteId, userId, t.adminId, now()),
      () => reactivatePerson(db, t.siteId, userId, t.adminId, now()),
      () => promoteGuest(db, t.siteId, userId, t.adminId, now()),
      () => assignSpace(db, t.siteId, userId, 'MKT', t.adminId, now()),
    ]) {
      expect((await refusal(operation())).code).toBe('conflict');
    }
    expect(await unassignSpace(db, t.siteId, userId, t.adminId, now())).toMatchObject({ status: 'removed' });
    expect(await trail(t, userId)).toHaveLength(4);
    await checkConsistent(t);
  });

  it('revokes a pending invitation; the old link keeps answering invitation_revoked after the person is invited again', async () => {
    const t = await newSite();
    const { userId, invitationId } = await invite(t, 'pending@partner.example', { spaceKey: 'MKT' });
    const claim = await claimInvitationSend(db, t.siteId, invitationId, new Date());
    if (claim.kind !== 'claimed') throw new Error(claim.kind);
    await removeAppAccess(db, t.siteId, userId, t.adminId, now());
    expect(await requireInvitation(db, t.siteId, invitationId)).toMatchObject({ status: 'revoked', userId });
    expect(await siteOf(t)).toMatchObject({ guests: 0 });

    const again = await invite(t, 'pending@partner.example');
    expect(again.outcome).toEqual({ invited: true, userId });
    expect((await refusal(openInvitationLink(db, claim.token, new Date()))).code).toBe('invitation_revoked');
    await checkConsistent(t);
  });
});

describe('inviting a removed person again', () => {
  it('brings back the same person: same id, a fresh onboarding to active, and one audit trail', async () => {
    const t = await newSite();
    const first = await invite(t, 'back@partner.example', { spaceKey: 'ENG' });
    await onboard(t, first.userId, first.invitationId);
    await removeAppAccess(db, t.siteId, first.userId, t.adminId, now());
    const removedAt = (await person(t, first.userId)).removedAt;

    const group = await createGroup(db, { siteId: t.siteId, groupId: newGroupId(), name: 'Partners', role: 'guest' }, t.adminId, now());
    const again = await invite(t, 'back@partner.example', { spaceKey: 'MKT', groups: [group] });
    expect(again.outcome).toEqual({ invited: true, userId: first.userId });
    const returned = await person(t, first.userId);
    expect(returned).toMatchObject({ userId: first.userId, kind: 'guest', status: 'invited', spaceKey: 'MKT', groups: [group.groupId], invitationId: again.invitationId, displayName: 'Rae Turner' });
    // Nothing of the earlier onboarding is left to act on
    for (const field of ['activatedAt', 'acceptedAt', 'lastVerifiedAt']) expect(returned, field).not.toHaveProperty(field);
    expect(await stored(t, again.offered)).toBeUndefined();
    expect(await siteOf(t)).toMatchObject({ guests: 1 });
    expect((await listGuests(db, t.siteId, { status: 'invited', limit: 10 })).guests.map((guest) => guest.userId)).toEqual([first.userId]);
    await checkConsistent(t);

    await onboard(t, first.userId, again.invitationId);
    expect(await person(t, first.userId)).toMatchObject({ status: 'active', spaceKey: 'MKT' });
    expect(await accessFor(db, t.siteId, { userId: first.userId, spaceKey: 'MKT', client: 'web' }, new Date())).toEqual({ allowed: true, reason: 'assigned_space' });
    expect(await trail(t, first.userId)).toEqual([
      'person.invited',
      'invitation.accepted',
      'person.activated',
      'guest.app_access_removed',
      'person.invited',
      'invitation.accepted',
      'person.activated',
    ]);
    const { events } = await listAuditEvents(db, t.siteId, { limit: 100 });
    expect(events.find((event) => event.action === 'person.invited' && event.details.invitationId === again.invitationId)?.details).toMatchObject({ before: { status: 'removed', removedAt } });
    // Both invitations stay, each with its own end
    expect(await requireInvitation(db, t.siteId, first.invitationId)).toMatchObject({ status: 'accepted', userId: first.userId });
    expect(await requireInvitation(db, t.siteId, again.invitationId)).toMatchObject({ status: 'accepted', userId: first.userId });
    await checkConsistent(t);
  });

  it('applies every invite rule: the seats, and already_member for the person while they are a member', async () => {
    const t = await newSite({ userLimit: 10, guestRatio: 1 });
    const gone = await invite(t, 'gone@partner.example');
    await removeAppAccess(db, t.siteId, gone.userId, t.adminId, now());
    // Someone else takes the one guest seat meanwhile
    expect((await invite(t, 'other@partner.example')).outcome).toEqual({ invited: true });
    expect((await invite(t, 'gone@partner.example')).outcome).toEqual({ invited: false, reason: 'guest_limit_reached' });
    expect(await person(t, gone.userId)).toMatchObject({ status: 'removed' });
    await checkConsistent(t);

    // As a paid user it fits under the user limit, and the kind comes from the roles
    const paid = await invite(t, 'gone@partner.example', { kind: 'paid' });
    expect(paid.outcome).toEqual({ invited: true, userId: gone.userId });
    expect(await person(t, gone.userId)).toMatchObject({ kind: 'paid', status: 'invited', roles: { wiki: 'user' } });
    expect((await invite(t, 'gone@partner.example')).outcome).toEqual({ invited: false, reason: 'paid_user_conversion_forbidden' });
    expect((await invite(t, 'gone@partner.example', { kind: 'paid' })).outcome).toEqual({ invited: false, reason: 'already_member' });
    // A paid user is deactivated or deleted, not removed, and never comes back as a guest
    expect((await refusal(removeAppAccess(db, t.siteId, gone.userId, t.adminId, now()))).code).toBe('conflict');
    await checkConsistent(t);
  });

  it('takes a returning person whose new invitation ends unaccepted back to removed, keeping their id', async () => {
    const t = await newSite();
    const first = await invite(t, 'late@partner.example', { spaceKey: 'ENG' });
    await removeAppAccess(db, t.siteId, first.userId, t.adminId, now());
    const again = await invite(t, 'late@partner.example', { spaceKey: 'MKT' });
    expect(again.outcome).toEqual({ invited: true, userId: first.userId });

    const invitation = await requireInvitation(db, t.siteId, again.invitationId);
    expect(await endPendingInvitation(db, invitation, 'expired', 'workflow', now())).toBe(true);
    expect(await person(t, first.userId)).toMatchObject({ status: 'removed', groups: [] });
    expect(await requireInvitation(db, t.siteId, again.invitationId)).toMatchObject({ status: 'expired' });
    expect(await siteOf(t)).toMatchObject({ guests: 0 });
    await checkConsistent(t);
    expect((await invite(t, 'late@partner.example')).outcome).toEqual({ invited: true, userId: first.userId });

    // A first invitation that expires still erases its person, as before
    const newcomer = await invite(t, 'new@partner.example');
    expect(await endPendingInvitation(db, await requireInvitation(db, t.siteId, newcomer.invitationId), 'expired', 'workflow', now())).toBe(true);
    expect(await stored(t, newcomer.userId)).toBeUndefined();
    await checkConsistent(t);
  });

  it('is no longer possible once the removed person is deleted: the address then makes a new person', async () => {
    const t = await newSite();
    const first = await invite(t, 'erase@partner.example');
    await removeAppAccess(db, t.siteId, first.userId, t.adminId, now());
    const deleted = await deletePerson(db, t.siteId, first.userId, t.adminId, now());
    expect(deleted.eraseAfter).toEqual(expect.any(String));
    expect(await stored(t, first.userId)).toBeUndefined();
    expect(await trail(t, first.userId)).toEqual(['person.invited', 'guest.app_access_removed', 'person.deleted']);
    const again = await invite(t, 'erase@partner.example');
    expect(again.outcome).toEqual({ invited: true });
    expect(again.userId).not.toBe(first.userId);
    await checkConsistent(t);
  });
});

describe('removals and invitations of the same addresses racing', () => {
  it('keeps one person per address under one id, and the seat counters equal to the people counted', async () => {
    // One paid admin and ratio 3: three guest seats for five returning guests
    const t = await newSite({ userLimit: 100, guestRatio: 3 });
    const emails = Array.from({ length: 5 }, (_, index) => `racer${index}@partner.example`);
    const ids = new Map<string, string>();
    for (const email of emails) {
      const { userId } = await invite(t, email, { spaceKey: 'ENG' });
      ids.set(email, userId);
      await removeAppAccess(db, t.siteId, userId, t.adminId, now());
    }
    for (let round = 0; round < 6; round++) {
      const racers = emails.flatMap((email) => [
        ...Array.from({ length: 4 }, () => async () => {
          const { outcome } = await invite(t, email, { spaceKey: round % 2 === 0 ? 'ENG' : undefined });
          if (outcome.invited) expect(outcome.userId).toBe(ids.get(email));
          else expect(['already_member', 'guest_limit_reached']).toContain(outcome.reason);
          return outcome.invited;
        }),
        ...Array.from({ length: 3 }, () => async () => {
          await removeAppAccess(db, t.siteId, ids.get(email)!, t.adminId, now());
          return false;
        }),
      ]);
      const results = await Promise.allSettled(racers.map((racer) => racer()));
      for (const result of results) if (result.status === 'rejected') throw result.reason;

      const { people } = await checkConsistent(t);
      const audit = (await scanAll(db)).filter((item) => String(item.pk) === `SITE#${t.siteId}#AUDIT`);
      const returning = people.filter((item) => item.kind === 'guest');
      expect(returning.map((item) => item.userId).sort()).toEqual([...ids.values()].sort());
      expect(returning.filter((item) => item.status === 'invited').length).toBeLessThanOrEqual(3);
      // Each person's trail alternates: every removal follows an invitation
      for (const someone of returning) {
        const actions = audit.filter((item) => item.target === someone.userId).map((item) => String(item.action));
        const invites = actions.filter((action) => action === 'person.invited').length;
        const removals = actions.filter((action) => action === 'guest.app_access_removed').length;
        expect(invites - removals, `${String(someone.email)} round ${round}: ${actions.join(' ')}`).toBe(someone.status === 'invited' ? 1 : 0);
      }
    }
  }, 120_000);
});
