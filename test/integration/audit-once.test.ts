import { beforeAll, describe, expect, it } from 'vitest';
import { createGroup } from '../../shared/directory/group-catalog';
import { createSpace, deleteSpace, updateSpace } from '../../shared/directory/spaces';
import type { Directory } from '../../shared/directory/directory';
import { inviteOne } from '../../shared/directory/invitations';
import type { GroupItem } from '../../shared/directory/entities/group';
import type { SiteItem } from '../../shared/directory/entities/site';
import { acceptInvitation, openInvitationLink } from '../../shared/directory/onboarding/links';
import { activatePerson } from '../../shared/directory/onboarding/activation';
import { assignSpace } from '../../shared/directory/onboarding/space-assignment';
import { claimInvitationSend } from '../../shared/directory/onboarding/email-lease';
import { deactivatePerson, reactivatePerson } from '../../shared/directory/people/status';
import { deletePerson, removeAppAccess } from '../../shared/directory/people/departure';
import { promoteGuest } from '../../shared/directory/people/promotion';
import { unassignSpace } from '../../shared/directory/people/space';
import { createSite, getSite, updateSite } from '../../shared/directory/sites';
import { AppError, type ErrorCode } from '../../shared/domain/errors';
import { newGroupId, newInvitationId, newUserId } from '../../shared/ids';
import { freshDirectory, scanAll } from '../support/directory';

/**
 * Rule 16 against DynamoDB Local: every admin operation of the directory that succeeds writes
 * exactly one audit event naming what it did, to whom and by whom; an operation that is refused
 * writes nothing at all (no event, no other item changed).
 */
let db: Directory;
beforeAll(async () => {
  db = await freshDirectory('audit-once');
});

const OTHER_ADMIN = 'usr_other_admin';
let clock = Date.now() - 3_600_000;
/** A fresh instant per call, so each event's `at` is checkable. */
const tick = () => new Date((clock += 1000)).toISOString();
let siteCounter = 0;

interface TestSite {
  readonly site: SiteItem;
  readonly adminId: string;
}

async function newSite(options: { userLimit?: number; guestRatio?: number } = {}): Promise<TestSite> {
  const siteId = `audit-${++siteCounter}`;
  const { admins } = await createSite(
    db,
    {
      siteId,
      name: siteId,
      orgId: `org-${siteId}`,
      plan: 'standard',
      userLimit: options.userLimit ?? 20,
      guestRatio: options.guestRatio ?? 5,
      inviteExpiryDays: 7,
      admins: [{ email: `admin@${siteId}.example`, role: 'site-admin' }],
    },
    'operator',
    tick(),
  );
  await createSpace(db, { siteId, key: 'ENG', name: 'Engineering', anonymousAccess: false }, admins[0]!.userId, tick());
  await createSpace(db, { siteId, key: 'MKT', name: 'Marketing', anonymousAccess: false }, admins[0]!.userId, tick());
  return { site: (await getSite(db, siteId))!, adminId: admins[0]!.userId };
}

let emailCounter = 0;
async function invite(t: TestSite, kind: 'guest' | 'paid', options: { spaceKey?: string; email?: string; groups?: GroupItem[] } = {}) {
  const at = tick();
  const userId = newUserId();
  const invitationId = newInvitationId();
  const email = options.email ?? `${kind}${++emailCounter}@partner.example`;
  const outcome = await inviteOne(db, {
    site: (await getSite(db, t.site.siteId))!,
    email,
    kind,
    roles: { wiki: kind === 'guest' ? 'guest' : 'user' },
    groups: options.groups ?? [],
    spaceKey: options.spaceKey,
    invitedBy: t.adminId,
    inviterName: 'Admin',
    userId,
    invitationId,
    now: at,
    expiresAt: new Date(Date.parse(at) + 7 * 86_400_000).toISOString(),
  });
  return { userId, invitationId, email, outcome };
}

async function invited(t: TestSite, kind: 'guest' | 'paid', options: { spaceKey?: string } = {}) {
  const row = await invite(t, kind, options);
  expect(row.outcome).toEqual({ invited: true });
  return row;
}

/** The onboarding path without the workflow: link issued, opened, accepted, activated. */
async function active(t: TestSite, kind: 'guest' | 'paid', options: { spaceKey?: string } = {}) {
  const row = await invited(t, kind, options);
  const now = new Date(clock);
  const claim = await claimInvitationSend(db, t.site.siteId, row.invitationId, now);
  if (claim.kind !== 'claimed') throw new Error(`claim: ${claim.kind}`);
  await acceptInvitation(db, await openInvitationLink(db, claim.token, now), undefined, now);
  expect(await activatePerson(db, t.site.siteId, row.userId, row.invitationId, tick())).toMatchObject({ status: 'active' });
  return row;
}

const auditItems = async (siteId: string) => (await scanAll(db)).filter((item) => item.pk === `SITE#${siteId}#AUDIT`);

/** Runs `operation` and checks it wrote exactly one audit event, the expected one. */
async function withOneEvent<T>(t: TestSite, expected: { action: string; target: string; actor: string }, operation: (at: string) => Promise<T>): Promise<T> {
  const before = await auditItems(t.site.siteId);
  const at = tick();
  const result = await operation(at);
  const after = await auditItems(t.site.siteId);
  const known = new Set(before.map((item) => item.sk));
  const added = after.filter((item) => !known.has(item.sk));
  expect(after).toHaveLength(before.length + 1);
  expect(added).toHaveLength(1);
  expect(added[0]).toMatchObject({ ...expected, at, siteId: t.site.siteId, type: 'audit' });
  return result;
}

/** Runs a refused `operation` and checks that not one item of the table changed. */
async function leavesNoTrace(operation: () => Promise<unknown>, refusal: ErrorCode | { invited: false; reason: string }) {
  const before = await scanAll(db);
  const outcome = await operation().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (typeof refusal === 'string') {
    expect('error' in outcome, `expected ${refusal}, got ${JSON.stringify(outcome)}`).toBe(true);
    const { error } = outcome as { error: unknown };
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(refusal);
  } else {
    expect(outcome).toEqual({ value: refusal });
  }
  const after = await scanAll(db);
  const byKey = (items: Record<string, unknown>[]) => [...items].sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
  expect(byKey(after)).toEqual(byKey(before));
}

describe('every successful admin operation writes exactly one audit event', () => {
  it('createSpace, updateSpace, deleteSpace', async () => {
    const t = await newSite();
    await withOneEvent(t, { action: 'space.created', target: 'OPS', actor: t.adminId }, (at) =>
      createSpace(db, { siteId: t.site.siteId, key: 'OPS', name: 'Operations', anonymousAccess: false }, t.adminId, at),
    );
    await withOneEvent(t, { action: 'space.updated', target: 'OPS', actor: OTHER_ADMIN }, (at) =>
      updateSpace(db, t.site.siteId, 'OPS', { anonymousAccess: true }, OTHER_ADMIN, at),
    );
    // A space with guests: they lose it, and the deletion is still one event
    await invited(t, 'guest', { spaceKey: 'OPS' });
    await invited(t, 'guest', { spaceKey: 'OPS' });
    await withOneEvent(t, { action: 'space.deleted', target: 'OPS', actor: t.adminId }, (at) => deleteSpace(db, t.site.siteId, 'OPS', t.adminId, at));
  });

  it('createGroup', async () => {
    const t = await newSite();
    const groupId = newGroupId();
    await withOneEvent(t, { action: 'group.created', target: groupId, actor: t.adminId }, (at) =>
      createGroup(db, { siteId: t.site.siteId, groupId, name: 'Partners', role: 'guest' }, t.adminId, at),
    );
  });

  it('inviteOne, for a guest and for a paid user, with a group and a space', async () => {
    const t = await newSite();
    const group = await createGroup(db, { siteId: t.site.siteId, groupId: newGroupId(), name: 'Partners', role: 'guest' }, t.adminId, tick());
    const userId = newUserId();
    const outcome = await withOneEvent(t, { action: 'person.invited', target: userId, actor: t.adminId }, (at) =>
      inviteOne(db, {
        site: t.site,
        email: 'new@partner.example',
        kind: 'guest',
        roles: { wiki: 'guest' },
        groups: [group],
        spaceKey: 'ENG',
        invitedBy: t.adminId,
        inviterName: 'Admin',
        userId,
        invitationId: newInvitationId(),
        now: at,
        expiresAt: new Date(Date.parse(at) + 86_400_000).toISOString(),
      }),
    );
    expect(outcome).toEqual({ invited: true });
    const paidId = newUserId();
    await withOneEvent(t, { action: 'person.invited', target: paidId, actor: OTHER_ADMIN }, async (at) =>
      expect(
        await inviteOne(db, {
          site: (await getSite(db, t.site.siteId))!,
          email: 'paid@corp.example',
          kind: 'paid',
          roles: { wiki: 'user' },
          groups: [],
          invitedBy: OTHER_ADMIN,
          inviterName: 'Other',
          userId: paidId,
          invitationId: newInvitationId(),
          now: at,
          expiresAt: new Date(Date.parse(at) + 86_400_000).toISOString(),
        }),
      ).toEqual({ invited: true }),
    );
  });

  it('assignSpace (first and replacing) and unassignSpace', async () => {
    const t = await newSite();
    const { userId } = await invited(t, 'guest');
    await withOneEvent(t, { action: 'guest.space_assigned', target: userId, actor: t.adminId }, (at) => assignSpace(db, t.site.siteId, userId, 'ENG', t.adminId, at));
    await withOneEvent(t, { action: 'guest.space_assigned', target: userId, actor: t.adminId }, (at) => assignSpace(db, t.site.siteId, userId, 'MKT', t.adminId, at));
    await withOneEvent(t, { action: 'guest.space_unassigned', target: userId, actor: t.adminId }, (at) => unassignSpace(db, t.site.siteId, userId, t.adminId, at));
  });

  it('promoteGuest, invited and active', async () => {
    const t = await newSite();
    const pending = await invited(t, 'guest', { spaceKey: 'ENG' });
    const onboarded = await active(t, 'guest', { spaceKey: 'MKT' });
    for (const { userId } of [pending, onboarded]) {
      const promoted = await withOneEvent(t, { action: 'guest.promoted', target: userId, actor: t.adminId }, (at) => promoteGuest(db, t.site.siteId, userId, t.adminId, at));
      expect(promoted.person.kind).toBe('paid');
    }
  });

  it('deactivatePerson and reactivatePerson, guest and paid', async () => {
    const t = await newSite();
    for (const kind of ['guest', 'paid'] as const) {
      const { userId } = await active(t, kind);
      await withOneEvent(t, { action: 'person.deactivated', target: userId, actor: t.adminId }, (at) => deactivatePerson(db, t.site.siteId, userId, t.adminId, at));
      await withOneEvent(t, { action: 'person.reactivated', target: userId, actor: t.adminId }, (at) => reactivatePerson(db, t.site.siteId, userId, t.adminId, at));
    }
  });

  it('removeAppAccess, of an invited and of an active guest', async () => {
    const t = await newSite();
    const pending = await invited(t, 'guest', { spaceKey: 'ENG' });
    const onboarded = await active(t, 'guest', { spaceKey: 'ENG' });
    for (const { userId } of [pending, onboarded]) {
      await withOneEvent(t, { action: 'guest.app_access_removed', target: userId, actor: t.adminId }, (at) => removeAppAccess(db, t.site.siteId, userId, t.adminId, at));
    }
  });

  it('deletePerson, of an invited guest, an active guest and a paid user', async () => {
    const t = await newSite();
    for (const person of [await invited(t, 'guest', { spaceKey: 'ENG' }), await active(t, 'guest'), await active(t, 'paid')]) {
      await withOneEvent(t, { action: 'person.deleted', target: person.userId, actor: t.adminId }, (at) => deletePerson(db, t.site.siteId, person.userId, t.adminId, at));
    }
  });

  it('updateSite', async () => {
    const t = await newSite();
    await withOneEvent(t, { action: 'site.updated', target: t.site.siteId, actor: 'operator' }, (at) => updateSite(db, t.site.siteId, { userLimit: 30, guestRatio: 3 }, 'operator', at));
  });
});

describe('a refused admin operation leaves no audit event and no other change', () => {
  it('promoting a paid user', async () => {
    const t = await newSite();
    const { userId } = await active(t, 'paid');
    await leavesNoTrace(() => promoteGuest(db, t.site.siteId, userId, t.adminId, tick()), 'conflict');
    await leavesNoTrace(() => promoteGuest(db, t.site.siteId, t.adminId, OTHER_ADMIN, tick()), 'conflict');
  });

  it('reactivating when no seat is free', async () => {
    const t = await newSite({ guestRatio: 1 });
    const first = await active(t, 'guest', { spaceKey: 'ENG' });
    await deactivatePerson(db, t.site.siteId, first.userId, t.adminId, tick());
    await invited(t, 'guest');
    await leavesNoTrace(() => reactivatePerson(db, t.site.siteId, first.userId, t.adminId, tick()), 'guest_limit_reached');
    // and a paid user under a full user limit
    const full = await newSite({ userLimit: 2 });
    const paid = await active(full, 'paid');
    await deactivatePerson(db, full.site.siteId, paid.userId, full.adminId, tick());
    await invited(full, 'paid');
    await leavesNoTrace(() => reactivatePerson(db, full.site.siteId, paid.userId, full.adminId, tick()), 'user_limit_reached');
  });

  it('assigning a space that does not exist, or any space to a paid or deactivated person', async () => {
    const t = await newSite();
    const guest = await active(t, 'guest', { spaceKey: 'ENG' });
    const paid = await active(t, 'paid');
    await leavesNoTrace(() => assignSpace(db, t.site.siteId, guest.userId, 'NOPE', t.adminId, tick()), 'not_found');
    await leavesNoTrace(() => assignSpace(db, t.site.siteId, 'usr_nobody', 'ENG', t.adminId, tick()), 'not_found');
    await leavesNoTrace(() => assignSpace(db, t.site.siteId, paid.userId, 'MKT', t.adminId, tick()), 'conflict');
    await deactivatePerson(db, t.site.siteId, guest.userId, t.adminId, tick());
    await leavesNoTrace(() => assignSpace(db, t.site.siteId, guest.userId, 'MKT', t.adminId, tick()), 'conflict');
  });

  it('inviting an existing member, a former paid user as a guest, or past the seats', async () => {
    const t = await newSite({ guestRatio: 1 });
    const member = await invited(t, 'guest');
    await leavesNoTrace(async () => (await invite(t, 'guest', { email: member.email })).outcome, { invited: false, reason: 'already_member' });
    await leavesNoTrace(async () => (await invite(t, 'paid', { email: member.email })).outcome, { invited: false, reason: 'already_member' });
    const paid = await invited(t, 'paid');
    await deletePerson(db, t.site.siteId, paid.userId, t.adminId, tick());
    await leavesNoTrace(async () => (await invite(t, 'guest', { email: paid.email })).outcome, { invited: false, reason: 'paid_user_conversion_forbidden' });
    // 1 admin + 0 paid, ratio 1: the one guest seat is taken
    await leavesNoTrace(async () => (await invite(t, 'guest')).outcome, { invited: false, reason: 'guest_limit_reached' });
    await leavesNoTrace(async () => (await invite(t, 'guest', { spaceKey: 'NOPE' })).outcome, { invited: false, reason: 'guest_limit_reached' });
  });

  it('the lifecycle operations on the wrong kind or status of person', async () => {
    const t = await newSite();
    const pending = await invited(t, 'guest');
    const paid = await active(t, 'paid');
    await leavesNoTrace(() => unassignSpace(db, t.site.siteId, paid.userId, t.adminId, tick()), 'conflict');
    await leavesNoTrace(() => removeAppAccess(db, t.site.siteId, paid.userId, t.adminId, tick()), 'conflict');
    await leavesNoTrace(() => deactivatePerson(db, t.site.siteId, pending.userId, t.adminId, tick()), 'conflict');
    await leavesNoTrace(() => deactivatePerson(db, t.site.siteId, t.adminId, t.adminId, tick()), 'conflict');
    await leavesNoTrace(() => deletePerson(db, t.site.siteId, t.adminId, t.adminId, tick()), 'conflict');
    for (const operation of [unassignSpace, removeAppAccess, promoteGuest, deactivatePerson, reactivatePerson, deletePerson]) {
      await leavesNoTrace(() => operation(db, t.site.siteId, 'usr_nobody', t.adminId, tick()), 'not_found');
    }
  });

  it('the catalogue operations on spaces that exist already or do not exist', async () => {
    const t = await newSite();
    await leavesNoTrace(() => createSpace(db, { siteId: t.site.siteId, key: 'ENG', name: 'Again', anonymousAccess: true }, t.adminId, tick()), 'conflict');
    await leavesNoTrace(() => updateSpace(db, t.site.siteId, 'NOPE', { anonymousAccess: true }, t.adminId, tick()), 'not_found');
    await leavesNoTrace(() => deleteSpace(db, t.site.siteId, 'NOPE', t.adminId, tick()), 'not_found');
    await leavesNoTrace(() => updateSite(db, 'no-such-site', { userLimit: 5 }, 'operator', tick()), 'not_found');
    await leavesNoTrace(async () => (await invite(t, 'guest', { spaceKey: 'NOPE' })).outcome, 'not_found');
  });
});
