import { PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../shared/directory/audit-log';
import { createGroup } from '../../shared/directory/group-catalog';
import { createSpace } from '../../shared/directory/spaces';
import type { Directory } from '../../shared/directory/directory';
import { addGroupMembers } from '../../shared/directory/groups/members';
import { changeGroupRole, promoteGroup } from '../../shared/directory/groups/role';
import { getGroup } from '../../shared/directory/groups/read';
import { MAX_GUEST_GROUP_MEMBERS } from '../../shared/domain/groups';
import { type SpaceTask } from '../../shared/directory/groups/promotion';
import { inviteOne } from '../../shared/directory/invitations';
import { PersonItem, personKey, personIndexKeys } from '../../shared/directory/entities/person';
import { type GroupItem } from '../../shared/directory/entities/group';
import { type SiteItem } from '../../shared/directory/entities/site';
import { formerPaidKey } from '../../shared/directory/entities/former-paid';
import { deactivatePerson, reactivatePerson } from '../../shared/directory/people/status';
import { promoteGuest } from '../../shared/directory/people/promotion';
import { removeAppAccess } from '../../shared/directory/people/departure';
import { createSite, getSite } from '../../shared/directory/sites';
import { AppError } from '../../shared/domain/errors';
import { newGroupId, newInvitationId, newUserId } from '../../shared/ids';
import { emailDigest } from '../../shared/domain/tokens';
import { freshDirectory, intercepted as interceptedDirectory, scanAll } from '../support/directory';

/** Group role changes, promotion batches and membership against DynamoDB Local. */
let db: Directory;
beforeAll(async () => {
  db = await freshDirectory('groups');
});

const ADMIN = 'usr_admin';
const now = () => new Date().toISOString();
let siteCounter = 0;

async function siteWith(options: { userLimit?: number; guestRatio?: number; admins?: number } = {}): Promise<SiteItem> {
  const siteId = `grp-site-${++siteCounter}-${Math.random().toString(36).slice(2, 8)}`;
  const { site } = await createSite(
    db,
    {
      siteId,
      name: siteId,
      orgId: `org-${siteId}`,
      plan: 'standard',
      userLimit: options.userLimit ?? 100,
      guestRatio: options.guestRatio ?? 5,
      inviteExpiryDays: 7,
      admins: Array.from({ length: options.admins ?? 1 }, (_, index) => ({ email: `admin${index}@${siteId}.example`, role: 'site-admin' as const })),
    },
    'operator',
    now(),
  );
  await createSpace(db, { siteId, key: 'ENG', name: 'Engineering', anonymousAccess: false }, ADMIN, now());
  return site;
}

async function groupOn(site: SiteItem, role: GroupItem['role']): Promise<GroupItem> {
  return createGroup(db, { siteId: site.siteId, groupId: newGroupId(), name: `${role} group`, role }, ADMIN, now());
}

let emailCounter = 0;
/** Invites one person (through `groups`, as the invite route does); returns the userId or the refusal. */
async function invite(site: SiteItem, kind: 'guest' | 'paid', options: { groups?: GroupItem[]; spaceKey?: string; email?: string } = {}) {
  const at = new Date();
  const userId = newUserId();
  const email = options.email ?? `${kind}${++emailCounter}@partner.example`;
  const outcome = await inviteOne(db, {
    site,
    email,
    kind,
    roles: { wiki: kind === 'guest' ? 'guest' : 'user' },
    groups: options.groups ?? [],
    spaceKey: options.spaceKey,
    invitedBy: ADMIN,
    inviterName: 'Admin',
    userId,
    invitationId: newInvitationId(),
    now: at.toISOString(),
    expiresAt: new Date(at.getTime() + 86_400_000).toISOString(),
  });
  return { userId, email, outcome };
}

async function invited(site: SiteItem, kind: 'guest' | 'paid', options: { groups?: GroupItem[]; spaceKey?: string; email?: string } = {}) {
  const { userId, outcome } = await invite(site, kind, options);
  expect(outcome).toEqual({ invited: true });
  return userId;
}

/** What the onboarding workflow would do on acceptance, by hand. */
async function markActive(siteId: string, userId: string) {
  const person = PersonItem.parse(await personOf(siteId, userId));
  const indexKeys = personIndexKeys({ ...person, status: 'active' });
  await db.client.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: personKey(siteId, userId),
      UpdateExpression: `SET #status = :active, activatedAt = :now${indexKeys.gsi2pk ? ', gsi2pk = :gsi2pk' : ''}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':active': 'active', ':now': now(), ...(indexKeys.gsi2pk ? { ':gsi2pk': indexKeys.gsi2pk } : {}) },
    }),
  );
}

/** What AwaitSpaceAssignment does: parks its task token on the person. */
async function parkSpaceTask(siteId: string, userId: string, taskToken: string) {
  await db.client.send(
    new UpdateCommand({ TableName: db.tableName, Key: personKey(siteId, userId), UpdateExpression: 'SET spaceTaskToken = :token', ExpressionAttributeValues: { ':token': taskToken } }),
  );
}

async function siteItems(siteId: string) {
  return (await scanAll(db)).filter((item) => String(item.pk) === `SITE#${siteId}`);
}

async function personOf(siteId: string, userId: string) {
  return (await siteItems(siteId)).find((item) => item.type === 'person' && item.userId === userId);
}

async function kinds(siteId: string, userIds: readonly string[]) {
  const items = await siteItems(siteId);
  return userIds.map((userId) => items.find((item) => item.type === 'person' && item.userId === userId)?.kind);
}

const SEATED = new Set(['invited', 'active', 'suspended']);

/**
 * The invariants every test ends on: the site's counters equal the people stored, both seat rules
 * hold, every space's guest count and every group's member count equal what is stored.
 */
async function expectConsistent(siteId: string) {
  const site = (await getSite(db, siteId))!;
  const items = await siteItems(siteId);
  const people = items.filter((item) => item.type === 'person');
  const seated = people.filter((person) => SEATED.has(String(person.status)));
  const paid = seated.filter((person) => person.kind === 'paid').length;
  const guests = seated.filter((person) => person.kind === 'guest').length;
  expect({ paid: site.paid, guests: site.guests, ratioRoom: site.ratioRoom, userRoom: site.userRoom }).toEqual({
    paid,
    guests,
    ratioRoom: site.seatRatio * paid - guests,
    userRoom: site.userLimit - paid - guests,
  });
  expect(paid + guests).toBeLessThanOrEqual(site.userLimit);
  expect(guests).toBeLessThanOrEqual(site.seatRatio * paid);
  for (const space of items.filter((item) => item.type === 'space')) {
    expect(space.guestCount, `space ${String(space.key)}`).toBe(people.filter((person) => person.spaceKey === space.key).length);
  }
  for (const group of items.filter((item) => item.type === 'group')) {
    const memberships = items.filter((item) => item.type === 'membership' && item.groupId === group.groupId);
    expect(group.memberCount, `group ${String(group.groupId)}`).toBe(memberships.length);
    const listed = people.filter((person) => (person.groups as string[]).includes(String(group.groupId)));
    expect(listed.map((person) => person.userId).sort()).toEqual(memberships.map((membership) => membership.userId).sort());
  }
  // No paid user is ever missing their former-paid marker.
  const markers = new Set(items.filter((item) => item.type === 'paid-marker').map((item) => String(item.sk)));
  for (const person of people.filter((item) => item.kind === 'paid')) {
    expect(markers.has(formerPaidKey(siteId, emailDigest(String(person.email))).sk)).toBe(true);
  }
  return { site, people };
}

async function events(siteId: string, action?: string) {
  const { events: all } = await listAuditEvents(db, siteId, { limit: 100 });
  return action ? all.filter((event) => event.action === action) : all;
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** The same table through a client whose `send` is intercepted: a crash or a concurrent change on cue. */
const intercepted = (on: Parameters<typeof interceptedDirectory>[1]) => interceptedDirectory(db, on);

const isTransaction = (command: unknown): command is TransactWriteCommand => command instanceof TransactWriteCommand;
// The guest-group change checks each member's person item; no other transaction checks a person.
const touchesPersonCheck = (command: TransactWriteCommand) => (command.input.TransactItems ?? []).some((item) => String(item.ConditionCheck?.Key?.sk ?? '').startsWith('USER#'));

// ---------------------------------------------------------------------------------------------

describe('turning a group into a guest group (rule 3)', () => {
  it('is refused when a member is a current paid user, and nothing changes', async () => {
    const site = await siteWith();
    const group = await groupOn(site, 'none');
    await invited(site, 'guest', { groups: [group] });
    const paid = await invited(site, 'paid', { groups: [group] });

    const error = await refusal(changeGroupRole(db, site.siteId, group.groupId, 'guest', ADMIN, now()));
    expect(error.code).toBe('paid_user_conversion_forbidden');
    expect(error.status).toBe(409);
    expect(error.details).toEqual({ userIds: [paid] });
    expect(await getGroup(db, site.siteId, group.groupId)).toMatchObject({ role: 'none', memberCount: 2 });
    expect(await events(site.siteId, 'group.role_changed')).toEqual([]);
    await expectConsistent(site.siteId);
  });

  it('is refused when a guest member is a former paid user (the address marker exists)', async () => {
    const site = await siteWith();
    const group = await groupOn(site, 'none');
    const { userId, email } = await invite(site, 'guest', { groups: [group] });
    await invited(site, 'guest', { groups: [group] });
    // e.g. data from before the marker was written at promotion time: the guest's address was paid once
    await db.client.send(new PutCommand({ TableName: db.tableName, Item: { ...formerPaidKey(site.siteId, emailDigest(email)), type: 'paid-marker', since: now() } }));

    const error = await refusal(changeGroupRole(db, site.siteId, group.groupId, 'guest', ADMIN, now()));
    expect(error.code).toBe('paid_user_conversion_forbidden');
    expect(error.details).toEqual({ userIds: [userId] });
    expect(await getGroup(db, site.siteId, group.groupId)).toMatchObject({ role: 'none' });
    expect(await kinds(site.siteId, [userId])).toEqual(['guest']);
  });

  it('is refused when a member was promoted earlier', async () => {
    const site = await siteWith();
    const group = await groupOn(site, 'none');
    const guest = await invited(site, 'guest', { groups: [group] });
    await promoteGuest(db, site.siteId, guest, ADMIN, now());
    expect((await refusal(changeGroupRole(db, site.siteId, group.groupId, 'guest', ADMIN, now()))).code).toBe('paid_user_conversion_forbidden');
  });

  it('changes an all-guest group, converts nobody and writes exactly one event', async () => {
    const site = await siteWith();
    const group = await groupOn(site, 'none');
    const members = [await invited(site, 'guest', { groups: [group] }), await invited(site, 'guest', { groups: [group] })];
    const before = await getSite(db, site.siteId);

    const changed = await changeGroupRole(db, site.siteId, group.groupId, 'guest', ADMIN, now());
    expect(changed).toMatchObject({ groupId: group.groupId, role: 'guest', memberCount: 2 });
    expect(await getGroup(db, site.siteId, group.groupId)).toMatchObject({ role: 'guest' });
    expect(await kinds(site.siteId, members)).toEqual(['guest', 'guest']);
    expect(await getSite(db, site.siteId)).toMatchObject({ paid: before!.paid, guests: before!.guests });
    const logged = await events(site.siteId, 'group.role_changed');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ actor: ADMIN, target: group.groupId, details: { before: { role: 'none' }, after: { role: 'guest' } } });
    // Asking again changes nothing and writes nothing
    await changeGroupRole(db, site.siteId, group.groupId, 'guest', ADMIN, now());
    expect(await events(site.siteId, 'group.role_changed')).toHaveLength(1);
  });

  it('re-checks when a member is promoted between the check and the change', async () => {
    const site = await siteWith();
    const group = await groupOn(site, 'none');
    const first = await invited(site, 'guest', { groups: [group] });
    await invited(site, 'guest', { groups: [group] });
    let raced = false;
    const racing = intercepted(async (command, forward) => {
      if (!raced && isTransaction(command) && touchesPersonCheck(command)) {
        raced = true;
        await promoteGuest(db, site.siteId, first, 'other-admin', now());
      }
      return forward();
    });

    const error = await refusal(changeGroupRole(racing, site.siteId, group.groupId, 'guest', ADMIN, now()));
    expect(raced).toBe(true);
    expect(error.code).toBe('paid_user_conversion_forbidden');
    expect(await getGroup(db, site.siteId, group.groupId)).toMatchObject({ role: 'none' });
    expect(await events(site.siteId, 'group.role_changed')).toEqual([]);
  });

  it('re-checks when a paid user joins between the check and the change', async () => {
    const site = await siteWith();
    const group = await groupOn(site, 'none');
    await invited(site, 'guest', { groups: [group] });
    const paid = await invited(site, 'paid');
    let raced = false;
    const racing = intercepted(async (command, forward) => {
      if (!raced && isTransaction(command) && touchesPersonCheck(command)) {
        raced = true;
        await addGroupMembers(db, site.siteId, group.groupId, [paid], 'other-admin', now());
      }
      return forward();
    });
    expect((await refusal(changeGroupRole(racing, site.siteId, group.groupId, 'guest', ADMIN, now()))).code).toBe('paid_user_conversion_forbidden');
    expect(await getGroup(db, site.siteId, group.groupId)).toMatchObject({ role: 'none', memberCount: 2 });
    await expectConsistent(site.siteId);
  });

  it(`refuses, with a conflict naming the limit, a group of more than ${MAX_GUEST_GROUP_MEMBERS} members`, async () => {
    const site = await siteWith({ userLimit: 200, guestRatio: 100 });
    const group = await groupOn(site, 'none');
    for (let index = 0; index <= MAX_GUEST_GROUP_MEMBERS; index++) await invited(site, 'guest', { groups: [group] });
    const error = await refusal(changeGroupRole(db, site.siteId, group.groupId, 'guest', ADMIN, now()));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain(String(MAX_GUEST_GROUP_MEMBERS));
    expect(error.details).toEqual({ memberCount: MAX_GUEST_GROUP_MEMBERS + 1, maxMembers: MAX_GUEST_GROUP_MEMBERS });
    expect(await getGroup(db, site.siteId, group.groupId)).toMatchObject({ role: 'none' });
  });
});

describe('giving a group a paid role (rule 10)', () => {
  it('makes every guest member paid: seats move, spaces go, counters equal the people', async () => {
    const site = await siteWith({ userLimit: 10, guestRatio: 3 });
    const group = await groupOn(site, 'guest');
    const withSpace = await invited(site, 'guest', { groups: [group], spaceKey: 'ENG' });
    const active = await invited(site, 'guest', { groups: [group] });
    await markActive(site.siteId, active);
    const outsider = await invited(site, 'guest', { spaceKey: 'ENG' });
    expect(await getSite(db, site.siteId)).toMatchObject({ paid: 1, guests: 3, ratioRoom: 0, userRoom: 6 });

    const tasks: SpaceTask[] = [];
    const changed = await changeGroupRole(db, site.siteId, group.groupId, 'user', ADMIN, now(), { completeSpaceTasks: async (done) => void tasks.push(...done) });
    expect(changed).toMatchObject({ role: 'user', memberCount: 2 });
    expect(changed).not.toHaveProperty('pendingPromotion');
    expect(await getGroup(db, site.siteId, group.groupId)).not.toHaveProperty('pendingPromotion');
    expect(await kinds(site.siteId, [withSpace, active, outsider])).toEqual(['paid', 'paid', 'guest']);
    const promoted = await personOf(site.siteId, withSpace);
    expect(promoted).toMatchObject({ roles: { wiki: 'user' }, status: 'invited' });
    expect(promoted).not.toHaveProperty('spaceKey');
    expect(await personOf(site.siteId, active)).toMatchObject({ status: 'active', kind: 'paid' });
    // paid + guests unchanged, the allowance grew by ratio + 1 per promotion
    expect(await getSite(db, site.siteId)).toMatchObject({ paid: 3, guests: 1, ratioRoom: 8, userRoom: 6 });
    await expectConsistent(site.siteId);
    expect(tasks).toEqual([]);

    expect(await events(site.siteId, 'group.role_changed')).toEqual([
      expect.objectContaining({ actor: ADMIN, target: group.groupId, details: { before: { role: 'guest' }, after: { role: 'user' } } }),
    ]);
    const promotions = await events(site.siteId, 'guest.promoted');
    expect(promotions.map((event) => event.target).sort()).toEqual([withSpace, active].sort());
    for (const event of promotions) expect(event.details).toMatchObject({ reason: `group_role_changed:${group.groupId}` });

    // The promoted can never be invited back as guests, and the group can never become a guest group
    expect((await refusal(changeGroupRole(db, site.siteId, group.groupId, 'guest', ADMIN, now()))).code).toBe('paid_user_conversion_forbidden');
  });

  it('promotes many members in chunks (shared site and space counters merged) and hands over their waiting space tasks', async () => {
    const site = await siteWith({ userLimit: 100, guestRatio: 40 });
    const group = await groupOn(site, 'none');
    const members: string[] = [];
    for (let index = 0; index < 30; index++) members.push(await invited(site, 'guest', { groups: [group], ...(index % 3 === 0 ? { spaceKey: 'ENG' } : {}) }));
    await parkSpaceTask(site.siteId, members[1]!, 'token-1');
    await parkSpaceTask(site.siteId, members[29]!, 'token-29');
    const tasks: SpaceTask[] = [];

    await changeGroupRole(db, site.siteId, group.groupId, 'app-admin', ADMIN, now(), { completeSpaceTasks: async (done) => void tasks.push(...done) });

    expect(new Set(await kinds(site.siteId, members))).toEqual(new Set(['paid']));
    expect(await getSite(db, site.siteId)).toMatchObject({ paid: 31, guests: 0 });
    await expectConsistent(site.siteId);
    expect(tasks.sort((a, b) => a.userId.localeCompare(b.userId))).toEqual(
      [
        { userId: members[1], taskToken: 'token-1' },
        { userId: members[29], taskToken: 'token-29' },
      ].sort((a, b) => a.userId!.localeCompare(b.userId!)),
    );
    expect(await personOf(site.siteId, members[1]!)).not.toHaveProperty('spaceTaskToken');
    expect(await events(site.siteId, 'guest.promoted')).toHaveLength(30);
    expect(await events(site.siteId, 'group.role_changed')).toHaveLength(1);
  });

  it('changes to none without touching anyone', async () => {
    const site = await siteWith();
    const group = await groupOn(site, 'guest');
    const guest = await invited(site, 'guest', { groups: [group] });
    const paid = await invited(site, 'paid', { groups: [group] });
    expect(await changeGroupRole(db, site.siteId, group.groupId, 'none', ADMIN, now())).toMatchObject({ role: 'none' });
    expect(await kinds(site.siteId, [guest, paid])).toEqual(['guest', 'paid']);
    expect(await events(site.siteId, 'group.role_changed')).toHaveLength(1);
    await expectConsistent(site.siteId);
  });

  it('answers 404 for an unknown group', async () => {
    const site = await siteWith();
    expect((await refusal(changeGroupRole(db, site.siteId, 'grp_missing', 'user', ADMIN, now()))).code).toBe('not_found');
    expect((await refusal(promoteGroup(db, site.siteId, 'grp_missing', ADMIN, now()))).code).toBe('not_found');
    expect((await refusal(addGroupMembers(db, site.siteId, 'grp_missing', [ADMIN], ADMIN, now()))).code).toBe('not_found');
  });
});

describe('the recoverable promotion batch', () => {
  /** Builds a guest group of `count` guests, the second with a waiting space task. */
  async function guestGroup(count: number) {
    const site = await siteWith({ userLimit: 50, guestRatio: 10 });
    const group = await groupOn(site, 'guest');
    const members: string[] = [];
    for (let index = 0; index < count; index++) members.push(await invited(site, 'guest', { groups: [group], ...(index === 0 ? { spaceKey: 'ENG' } : {}) }));
    await parkSpaceTask(site.siteId, members[1]!, 'waiting-token');
    return { site, group, members };
  }

  /** A client that fails the n-th transaction it sends, as a crash or timeout would. */
  function crashingOnTransaction(n: number) {
    let transactions = 0;
    return intercepted(async (command, forward) => {
      if (isTransaction(command) && ++transactions === n) throw new Error('Lambda timed out');
      return forward();
    });
  }

  it('leaves the group marked after a crash midway; promoting again finishes it with correct counters', async () => {
    const { site, group, members } = await guestGroup(5);
    // Transaction 1 sets the role and the mark, 2 promotes the first chunk, 3 (the second chunk) crashes
    await expect(promoteGroup(crashingOnTransaction(3), site.siteId, group.groupId, ADMIN, now(), { chunkMembers: 2 })).rejects.toThrow('Lambda timed out');

    const marked = await getGroup(db, site.siteId, group.groupId);
    expect(marked).toMatchObject({ role: 'user', pendingPromotion: true, promotionStartedBy: ADMIN });
    // The first chunk's waiting space task is kept with the batch, not lost with the crashed call
    expect(marked?.spaceTasks).toEqual({ [members[1]!]: 'waiting-token' });
    const halfway = await kinds(site.siteId, members);
    expect(halfway.filter((kind) => kind === 'paid')).toHaveLength(2);
    await expectConsistent(site.siteId);

    const tasks: SpaceTask[] = [];
    const finished = await promoteGroup(db, site.siteId, group.groupId, 'usr_second_admin', now(), { completeSpaceTasks: async (done) => void tasks.push(...done) });
    expect(finished).toMatchObject({ role: 'user', memberCount: 5 });
    expect(finished).not.toHaveProperty('pendingPromotion');
    expect(await getGroup(db, site.siteId, group.groupId)).not.toHaveProperty('pendingPromotion');
    expect(await kinds(site.siteId, members)).toEqual(members.map(() => 'paid'));
    expect(tasks).toEqual([{ userId: members[1], taskToken: 'waiting-token' }]);
    await expectConsistent(site.siteId);
    // One event for the admin action, one per promotion, all in the name of the admin who started it
    expect(await events(site.siteId, 'group.promoted')).toHaveLength(1);
    const promotions = await events(site.siteId, 'guest.promoted');
    expect(promotions.map((event) => event.target).sort()).toEqual([...members].sort());
    expect(new Set(promotions.map((event) => event.actor))).toEqual(new Set([ADMIN]));
  });

  it('is resumed by a role change, or by adding members, before they do their own work', async () => {
    const first = await guestGroup(4);
    await expect(changeGroupRole(crashingOnTransaction(2), first.site.siteId, first.group.groupId, 'user', ADMIN, now(), { chunkMembers: 2 })).rejects.toThrow();
    expect(await getGroup(db, first.site.siteId, first.group.groupId)).toMatchObject({ role: 'user', pendingPromotion: true });
    expect(await kinds(first.site.siteId, first.members)).toEqual(first.members.map(() => 'guest'));
    // A change to none first finishes the promotion the earlier change started
    expect(await changeGroupRole(db, first.site.siteId, first.group.groupId, 'none', ADMIN, now())).toMatchObject({ role: 'none' });
    expect(await kinds(first.site.siteId, first.members)).toEqual(first.members.map(() => 'paid'));
    expect((await events(first.site.siteId, 'group.role_changed')).map((event) => event.details.after)).toEqual([{ role: 'none' }, { role: 'user' }]);
    await expectConsistent(first.site.siteId);

    const second = await guestGroup(3);
    await expect(promoteGroup(crashingOnTransaction(3), second.site.siteId, second.group.groupId, ADMIN, now(), { chunkMembers: 1 })).rejects.toThrow();
    const newcomer = await invited(second.site, 'guest');
    const result = await addGroupMembers(db, second.site.siteId, second.group.groupId, [newcomer], ADMIN, now());
    expect(result.group).toMatchObject({ role: 'user', memberCount: 4 });
    expect(result.group).not.toHaveProperty('pendingPromotion');
    expect(result.promoted).toEqual([newcomer]);
    expect(await kinds(second.site.siteId, [...second.members, newcomer])).toEqual(['paid', 'paid', 'paid', 'paid']);
    await expectConsistent(second.site.siteId);
  });

  it('never promotes anyone twice when two promotions of one group race', async () => {
    const { site, group, members } = await guestGroup(6);
    const results = await Promise.allSettled([
      promoteGroup(db, site.siteId, group.groupId, ADMIN, now(), { chunkMembers: 2 }),
      promoteGroup(db, site.siteId, group.groupId, 'usr_other', now(), { chunkMembers: 3 }),
      changeGroupRole(db, site.siteId, group.groupId, 'user', 'usr_third', now(), { chunkMembers: 1 }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(await kinds(site.siteId, members)).toEqual(members.map(() => 'paid'));
    expect(await getGroup(db, site.siteId, group.groupId)).not.toHaveProperty('pendingPromotion');
    expect(await events(site.siteId, 'guest.promoted')).toHaveLength(members.length);
    await expectConsistent(site.siteId);
  });
});

describe('promotion racing the seat rules', () => {
  it('racing promoteGroup against invites for the last seats and a reactivation never breaks a limit', async () => {
    // 3 paid admins, ratio 2: room for 6 guests; the user limit leaves 2 places once 4 guests and the group are in
    const site = await siteWith({ userLimit: 10, guestRatio: 2, admins: 3 });
    const group = await groupOn(site, 'guest');
    const members: string[] = [];
    for (let index = 0; index < 4; index++) members.push(await invited(site, 'guest', { groups: [group] }));
    const sleeper = await invited(site, 'guest');
    await markActive(site.siteId, sleeper);
    await deactivatePerson(db, site.siteId, sleeper, ADMIN, now());
    const filler = await invited(site, 'guest');
    expect(await getSite(db, site.siteId)).toMatchObject({ paid: 3, guests: 5, ratioRoom: 1, userRoom: 2 });

    const fresh = (await getSite(db, site.siteId))!;
    const outcomes = await Promise.allSettled([
      promoteGroup(db, site.siteId, group.groupId, ADMIN, now(), { chunkMembers: 2 }),
      ...Array.from({ length: 8 }, () => invite(fresh, 'guest')),
      reactivatePerson(db, site.siteId, sleeper, ADMIN, now()),
      ...Array.from({ length: 3 }, () => invite(fresh, 'paid')),
    ]);

    expect(outcomes[0]!.status).toBe('fulfilled');
    expect(await kinds(site.siteId, members)).toEqual(members.map(() => 'paid'));
    expect(await kinds(site.siteId, [filler])).toEqual(['guest']);
    const { site: after } = await expectConsistent(site.siteId);
    // Promotion never takes room, and the two free places went to at most two people
    expect(after.paid + after.guests).toBeLessThanOrEqual(10);
    const invitesIn = outcomes
      .slice(1)
      .filter((outcome) => outcome.status === 'fulfilled' && typeof outcome.value === 'object' && outcome.value !== null && 'outcome' in outcome.value && outcome.value.outcome.invited).length;
    const reactivated = (await personOf(site.siteId, sleeper))?.status === 'active' ? 1 : 0;
    expect(invitesIn + reactivated).toBeLessThanOrEqual(2);
    expect(after.paid + after.guests).toBe(3 + 4 + 1 + invitesIn + reactivated);
  });
});

describe('adding members', () => {
  it('makes a guest joining a paid group paid in the joining transaction', async () => {
    const site = await siteWith({ userLimit: 10, guestRatio: 2 });
    const group = await groupOn(site, 'user');
    const guest = await invited(site, 'guest', { spaceKey: 'ENG' });
    await markActive(site.siteId, guest);
    await parkSpaceTask(site.siteId, guest, 'space-token');

    const result = await addGroupMembers(db, site.siteId, group.groupId, [guest], ADMIN, now());
    expect(result).toMatchObject({ added: [guest], promoted: [guest], spaceTasks: [{ userId: guest, taskToken: 'space-token' }] });
    expect(result.group).toMatchObject({ role: 'user', memberCount: 1 });
    expect(await personOf(site.siteId, guest)).toMatchObject({ kind: 'paid', groups: [group.groupId], roles: { wiki: 'user' } });
    expect(await personOf(site.siteId, guest)).not.toHaveProperty('spaceKey');
    expect(await getSite(db, site.siteId)).toMatchObject({ paid: 2, guests: 0 });
    await expectConsistent(site.siteId);
    const added = await events(site.siteId, 'group.members_added');
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ actor: ADMIN, target: group.groupId, details: { userIds: [guest], promoted: [guest], role: 'user' } });
    expect(await events(site.siteId, 'guest.promoted')).toEqual([expect.objectContaining({ target: guest, details: expect.objectContaining({ reason: `joined_group:${group.groupId}` }) })]);
  });

  it('adds guests to a guest group and keeps them guests; already-members are skipped', async () => {
    const site = await siteWith();
    const group = await groupOn(site, 'guest');
    const guest = await invited(site, 'guest');
    const other = await invited(site, 'guest');
    const result = await addGroupMembers(db, site.siteId, group.groupId, [guest, other, guest], ADMIN, now());
    expect(result).toMatchObject({ added: [guest, other], promoted: [] });
    expect(result.group.memberCount).toBe(2);
    expect(await personOf(site.siteId, guest)).toMatchObject({ kind: 'guest', groups: [group.groupId] });

    const again = await addGroupMembers(db, site.siteId, group.groupId, [other, guest], ADMIN, now());
    expect(again).toMatchObject({ added: [], promoted: [] });
    expect(again.group.memberCount).toBe(2);
    expect(await events(site.siteId, 'group.members_added')).toHaveLength(1);
    await expectConsistent(site.siteId);
  });

  it('refuses a current paid user joining a guest group, naming them, and adds nobody of the call (rules 3, 7)', async () => {
    const site = await siteWith();
    const group = await groupOn(site, 'guest');
    const other = await groupOn(site, 'none');
    const paid = await invited(site, 'paid', { groups: [other] });
    const guest = await invited(site, 'guest');
    const error = await refusal(addGroupMembers(db, site.siteId, group.groupId, [guest, paid], ADMIN, now()));
    expect(error).toMatchObject({ code: 'paid_user_conversion_forbidden', status: 409, details: { userIds: [paid] } });
    expect(await getGroup(db, site.siteId, group.groupId)).toMatchObject({ role: 'guest', memberCount: 0 });
    expect(await personOf(site.siteId, guest)).toMatchObject({ kind: 'guest', groups: [] });
    expect(await personOf(site.siteId, paid)).toMatchObject({ kind: 'paid', groups: [other.groupId] });
    expect(await events(site.siteId, 'group.members_added')).toEqual([]);
    // A promoted guest and a deactivated paid user are paid users too
    const promoted = await invited(site, 'guest');
    await promoteGuest(db, site.siteId, promoted, ADMIN, now());
    await markActive(site.siteId, paid);
    await deactivatePerson(db, site.siteId, paid, ADMIN, now());
    const again = await refusal(addGroupMembers(db, site.siteId, group.groupId, [promoted, paid], ADMIN, now()));
    expect(again).toMatchObject({ code: 'paid_user_conversion_forbidden', details: { userIds: [promoted, paid] } });
    await expectConsistent(site.siteId);
  });

  it('refuses a guest whose address was a paid user once (the marker exists)', async () => {
    const site = await siteWith();
    const group = await groupOn(site, 'guest');
    const { userId, email } = await invite(site, 'guest');
    await db.client.send(new PutCommand({ TableName: db.tableName, Item: { ...formerPaidKey(site.siteId, emailDigest(email)), type: 'paid-marker', since: now() } }));
    const error = await refusal(addGroupMembers(db, site.siteId, group.groupId, [userId], ADMIN, now()));
    expect(error).toMatchObject({ code: 'paid_user_conversion_forbidden', details: { userIds: [userId] } });
    expect(await getGroup(db, site.siteId, group.groupId)).toMatchObject({ memberCount: 0 });
  });

  it('re-decides when a joining guest is promoted between the read and the join: the guest group stays all guests', async () => {
    const site = await siteWith();
    const group = await groupOn(site, 'guest');
    const guest = await invited(site, 'guest');
    let raced = false;
    const racing = intercepted(async (command, forward) => {
      if (!raced && isTransaction(command) && (command.input.TransactItems ?? []).some((item) => String(item.Put?.Item?.sk ?? '').startsWith('MEMBER#'))) {
        raced = true;
        await promoteGuest(db, site.siteId, guest, 'other-admin', now());
      }
      return forward();
    });
    const error = await refusal(addGroupMembers(racing, site.siteId, group.groupId, [guest], ADMIN, now()));
    expect(raced).toBe(true);
    expect(error).toMatchObject({ code: 'paid_user_conversion_forbidden', details: { userIds: [guest] } });
    expect(await getGroup(db, site.siteId, group.groupId)).toMatchObject({ role: 'guest', memberCount: 0 });
    await expectConsistent(site.siteId);
  });

  it('refuses a removed person with a conflict naming them', async () => {
    const site = await siteWith();
    const group = await groupOn(site, 'none');
    const guest = await invited(site, 'guest');
    await removeAppAccess(db, site.siteId, guest, ADMIN, now());
    const error = await refusal(addGroupMembers(db, site.siteId, group.groupId, [guest], ADMIN, now()));
    expect(error).toMatchObject({ code: 'conflict', details: { userIds: [guest] } });
    expect(await getGroup(db, site.siteId, group.groupId)).toMatchObject({ memberCount: 0 });
  });

  it('refuses unknown users with 404 and changes nothing', async () => {
    const site = await siteWith();
    const group = await groupOn(site, 'user');
    const guest = await invited(site, 'guest');
    const error = await refusal(addGroupMembers(db, site.siteId, group.groupId, [guest, 'usr_nobody'], ADMIN, now()));
    expect(error.code).toBe('not_found');
    expect(error.message).toContain('usr_nobody');
    expect(await personOf(site.siteId, guest)).toMatchObject({ kind: 'guest', groups: [] });
    expect(await getGroup(db, site.siteId, group.groupId)).toMatchObject({ memberCount: 0 });
    expect(await events(site.siteId, 'group.members_added')).toEqual([]);
  });

  it('adds many guests to a paid group in transactions that each stay under the limit', async () => {
    const site = await siteWith({ userLimit: 100, guestRatio: 50 });
    const group = await groupOn(site, 'app-admin');
    const guests: string[] = [];
    for (let index = 0; index < 45; index++) guests.push(await invited(site, 'guest', index % 2 === 0 ? { spaceKey: 'ENG' } : {}));
    const paid = await invited(site, 'paid');
    const result = await addGroupMembers(db, site.siteId, group.groupId, [...guests, paid], ADMIN, now());
    expect(result.added).toHaveLength(46);
    expect(result.promoted.sort()).toEqual([...guests].sort());
    expect(result.group.memberCount).toBe(46);
    expect(new Set(await kinds(site.siteId, guests))).toEqual(new Set(['paid']));
    await expectConsistent(site.siteId);
    const added = await events(site.siteId, 'group.members_added');
    expect(added.flatMap((event) => event.details.userIds as string[]).sort()).toEqual([...guests, paid].sort());
  });

  it('a join racing a role change to user: the joining guest ends paid either way', async () => {
    const site = await siteWith({ userLimit: 20, guestRatio: 5 });
    const group = await groupOn(site, 'none');
    const joiners: string[] = [];
    for (let index = 0; index < 4; index++) joiners.push(await invited(site, 'guest'));
    await invited(site, 'guest', { groups: [group] });
    await Promise.all([
      changeGroupRole(db, site.siteId, group.groupId, 'user', ADMIN, now(), { chunkMembers: 1 }),
      ...joiners.map((userId) => addGroupMembers(db, site.siteId, group.groupId, [userId], ADMIN, now())),
    ]);
    expect(new Set(await kinds(site.siteId, joiners))).toEqual(new Set(['paid']));
    expect(await getGroup(db, site.siteId, group.groupId)).toMatchObject({ role: 'user', memberCount: 5 });
    await expectConsistent(site.siteId);
  });
});

describe('paid users joining while the group becomes a guest group (rules 3, 7)', () => {
  it('never ends with a guest group that has a paid member, round after round', async () => {
    const rounds = 20;
    const site = await siteWith({ userLimit: 500, guestRatio: 5, admins: 1 });
    let guestGroups = 0;
    let paidJoined = 0;
    for (let round = 0; round < rounds; round++) {
      const group = await groupOn(site, 'none');
      await invited(site, 'guest', { groups: [group] });
      const paid = await Promise.all([0, 1, 2].map(() => invited(site, 'paid')));
      // Each writer starts after its own random delay, the joins later in some rounds than others, so both sides win some rounds
      const head = round % 2 === 0 ? 0 : 25;
      const later = <T>(delayMs: number, work: () => Promise<T>) => new Promise<void>((resolve) => setTimeout(resolve, delayMs * Math.random())).then(work);
      const outcomes = await Promise.allSettled([
        ...paid.map((userId) => later(head + 10, () => addGroupMembers(db, site.siteId, group.groupId, [userId], ADMIN, now()))),
        later(10, () => changeGroupRole(db, site.siteId, group.groupId, 'guest', ADMIN, now())),
        later(10, () => changeGroupRole(db, site.siteId, group.groupId, 'guest', ADMIN, now())),
      ]);
      // Every refusal is the rule's own answer, never a give-up
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect((outcome.reason as AppError).code, `round ${round}`).toBe('paid_user_conversion_forbidden');
      }
      const { people } = await expectConsistent(site.siteId);
      const stored = (await getGroup(db, site.siteId, group.groupId))!;
      const members = people.filter((person) => (person.groups as string[]).includes(group.groupId));
      const paidMembers = members.filter((person) => person.kind === 'paid').map((person) => String(person.userId));
      if (stored.role === 'guest') {
        guestGroups++;
        expect(paidMembers, `round ${round}: a guest group with paid members`).toEqual([]);
        expect(outcomes.slice(0, 3).every((outcome) => outcome.status === 'rejected'), `round ${round}`).toBe(true);
      } else {
        paidJoined++;
        expect(stored.role).toBe('none');
        expect(paidMembers.length, `round ${round}`).toBeGreaterThan(0);
        expect(outcomes.slice(3).every((outcome) => outcome.status === 'rejected'), `round ${round}`).toBe(true);
        expect(await events(site.siteId, 'group.role_changed').then((all) => all.filter((event) => event.target === group.groupId))).toEqual([]);
      }
      expect(stored.memberCount).toBe(members.length);
    }
    expect(guestGroups + paidJoined).toBe(rounds);
  }, 120_000);
});
