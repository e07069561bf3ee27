import { beforeAll, describe, expect, it } from 'vitest';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createSpace, deleteSpace } from '../../shared/directory/spaces';
import type { Directory } from '../../shared/directory/directory';
import { inviteOne } from '../../shared/directory/invitations';
import type { SiteItem } from '../../shared/directory/entities/site';
import { spaceKey as spaceItemKey } from '../../shared/directory/entities/space';
import { acceptInvitation, openInvitationLink } from '../../shared/directory/onboarding/links';
import { activatePerson } from '../../shared/directory/onboarding/activation';
import { assignSpace } from '../../shared/directory/onboarding/space-assignment';
import { claimInvitationSend } from '../../shared/directory/onboarding/email-lease';
import { deactivatePerson, reactivatePerson } from '../../shared/directory/people/status';
import { promoteGuest } from '../../shared/directory/people/promotion';
import { removeAppAccess } from '../../shared/directory/people/departure';
import { unassignSpace } from '../../shared/directory/people/space';
import { createSite, getSite, updateSite } from '../../shared/directory/sites';
import { AppError } from '../../shared/domain/errors';
import { newInvitationId, newUserId } from '../../shared/ids';
import { beforeFirstTransaction, freshDirectory, scanAll } from '../support/directory';

/**
 * The lifecycle operations that take or move seats, racing each other for the last seat against
 * DynamoDB Local: reactivations, new invites and promotions. Whatever the interleaving, the seat
 * rules hold, the site's counters equal the people stored, and exactly as many win as there was room.
 */
let db: Directory;
beforeAll(async () => {
  db = await freshDirectory('lifecycle-race');
});

const SEATED = new Set(['invited', 'active', 'suspended']);
const now = () => new Date().toISOString();
let siteCounter = 0;
let emailCounter = 0;

interface TestSite {
  readonly siteId: string;
  readonly adminId: string;
}

async function newSite(options: { userLimit: number; guestRatio: number }): Promise<TestSite> {
  const siteId = `race-${++siteCounter}`;
  const { admins } = await createSite(
    db,
    { siteId, name: siteId, orgId: `org-${siteId}`, plan: 'standard', ...options, inviteExpiryDays: 7, admins: [{ email: `admin@${siteId}.example`, role: 'site-admin' }] },
    'operator',
    now(),
  );
  await createSpace(db, { siteId, key: 'ENG', name: 'Engineering', anonymousAccess: false }, admins[0]!.userId, now());
  await createSpace(db, { siteId, key: 'MKT', name: 'Marketing', anonymousAccess: false }, admins[0]!.userId, now());
  return { siteId, adminId: admins[0]!.userId };
}

const site = async (t: TestSite): Promise<SiteItem> => (await getSite(db, t.siteId))!;

/** Invites one person; a guest gets ENG unless `spaceKey` says otherwise (null: no space). */
async function invite(t: TestSite, kind: 'guest' | 'paid', siteItem?: SiteItem, space?: string | null) {
  const spaceKey = space === null ? undefined : (space ?? (kind === 'guest' ? 'ENG' : undefined));
  const at = new Date();
  const userId = newUserId();
  const invitationId = newInvitationId();
  const outcome = await inviteOne(db, {
    site: siteItem ?? (await site(t)),
    email: `${kind}${++emailCounter}@partner.example`,
    kind,
    roles: { wiki: kind === 'guest' ? 'guest' : 'user' },
    groups: [],
    spaceKey,
    invitedBy: t.adminId,
    inviterName: 'Admin',
    userId,
    invitationId,
    now: at.toISOString(),
    expiresAt: new Date(at.getTime() + 86_400_000).toISOString(),
  });
  return { userId, invitationId, outcome };
}

/** Invited and onboarded without the workflow: link issued, opened, accepted, activated. */
async function activePerson(t: TestSite, kind: 'guest' | 'paid'): Promise<string> {
  const { userId, invitationId, outcome } = await invite(t, kind);
  expect(outcome).toEqual({ invited: true });
  const at = new Date();
  const claim = await claimInvitationSend(db, t.siteId, invitationId, at);
  if (claim.kind !== 'claimed') throw new Error(`claim: ${claim.kind}`);
  await acceptInvitation(db, await openInvitationLink(db, claim.token, at), undefined, at);
  expect(await activatePerson(db, t.siteId, userId, invitationId, now())).toMatchObject({ status: 'active' });
  return userId;
}

/** `count` people of `kind` who were active and are now deactivated (holding no seat). */
async function deactivated(t: TestSite, kind: 'guest' | 'paid', count: number): Promise<string[]> {
  const userIds: string[] = [];
  for (let index = 0; index < count; index++) userIds.push(await activePerson(t, kind));
  await Promise.all(userIds.map((userId) => deactivatePerson(db, t.siteId, userId, t.adminId, now())));
  return userIds;
}

/** The seat rules and the counters, checked against the people actually stored. */
async function checkSeats(t: TestSite) {
  const items = await scanAll(db);
  const seated = items.filter((item) => item.type === 'person' && item.siteId === t.siteId && SEATED.has(String(item.status)));
  const paid = seated.filter((person) => person.kind === 'paid').length;
  const guests = seated.filter((person) => person.kind === 'guest').length;
  const counters = await site(t);
  expect({ paid: counters.paid, guests: counters.guests }).toEqual({ paid, guests });
  expect(counters.userRoom).toBe(counters.userLimit - paid - guests);
  expect(counters.ratioRoom).toBe(counters.seatRatio * paid - guests);
  expect(guests).toBeLessThanOrEqual(counters.seatRatio * paid);
  expect(paid + guests).toBeLessThanOrEqual(counters.userLimit);
  // Space counts follow the guests too, and nobody holds a space that does not exist
  const people = items.filter((item) => item.type === 'person' && item.siteId === t.siteId);
  const spaces = items.filter((item) => item.type === 'space' && item.siteId === t.siteId);
  for (const space of spaces) expect(space.guestCount, String(space.key)).toBe(people.filter((person) => person.spaceKey === space.key).length);
  const spaceKeys = new Set(spaces.map((space) => space.key));
  expect(people.filter((person) => person.spaceKey !== undefined && !spaceKeys.has(person.spaceKey))).toEqual([]);
  return { paid, guests, items };
}

const auditCount = (items: Record<string, unknown>[], t: TestSite, action: string) =>
  items.filter((item) => item.pk === `SITE#${t.siteId}#AUDIT` && item.action === action).length;

/** Settles every racer; a refusal must be the AppError the rules name, anything else fails the test. */
async function race<T>(racers: (() => Promise<T>)[]): Promise<PromiseSettledResult<T>[]> {
  return Promise.allSettled(racers.map((racer) => racer()));
}

function refusalCodes(results: PromiseSettledResult<unknown>[]): string[] {
  return results.flatMap((result) => {
    if (result.status === 'fulfilled') return [];
    const error: unknown = result.reason;
    return [error instanceof AppError ? error.code : `unexpected ${(error as Error).name}: ${(error as Error).message}`];
  });
}

describe('racing for the last seat', () => {
  it('lets exactly one of 20 deactivated guests back onto the one free guest seat', async () => {
    const t = await newSite({ userLimit: 100, guestRatio: 20 });
    const sleepers = await deactivated(t, 'guest', 20);
    // Ratio 1 and one paid admin: exactly one guest seat
    await updateSite(db, t.siteId, { guestRatio: 1 }, 'operator', now());
    expect(await site(t)).toMatchObject({ paid: 1, guests: 0, ratioRoom: 1 });

    const results = await race(sleepers.map((userId) => () => reactivatePerson(db, t.siteId, userId, t.adminId, now())));

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(refusalCodes(results)).toEqual(Array<string>(19).fill('guest_limit_reached'));
    const { guests, items } = await checkSeats(t);
    expect(guests).toBe(1);
    expect(auditCount(items, t, 'person.reactivated')).toBe(1);
  });

  it('lets exactly one of 10 reactivations and 10 new guest invites take the one free guest seat', async () => {
    const t = await newSite({ userLimit: 100, guestRatio: 10 });
    const sleepers = await deactivated(t, 'guest', 10);
    await updateSite(db, t.siteId, { guestRatio: 1 }, 'operator', now());
    const siteItem = await site(t);

    const reactivations = race(sleepers.map((userId) => () => reactivatePerson(db, t.siteId, userId, t.adminId, now())));
    const invites = Promise.all(Array.from({ length: 10 }, () => invite(t, 'guest', siteItem)));
    const [reactivated, invited] = await Promise.all([reactivations, invites]);

    const wins = reactivated.filter((result) => result.status === 'fulfilled').length + invited.filter((row) => row.outcome.invited).length;
    expect(wins).toBe(1);
    expect(refusalCodes(reactivated).every((code) => code === 'guest_limit_reached')).toBe(true);
    for (const row of invited.filter((r) => !r.outcome.invited)) expect(row.outcome).toEqual({ invited: false, reason: 'guest_limit_reached' });
    const { guests, paid, items } = await checkSeats(t);
    expect({ guests, paid }).toEqual({ guests: 1, paid: 1 });
    expect(auditCount(items, t, 'person.reactivated') + auditCount(items, t, 'person.invited')).toBe(10 + 1);
  });

  it('lets exactly one of 10 paid reactivations and 10 paid invites take the last place under the user limit', async () => {
    const t = await newSite({ userLimit: 20, guestRatio: 5 });
    const sleepers = await deactivated(t, 'paid', 10);
    await updateSite(db, t.siteId, { userLimit: 2 }, 'operator', now());
    expect(await site(t)).toMatchObject({ paid: 1, userRoom: 1 });
    const siteItem = await site(t);

    const [reactivated, invited] = await Promise.all([
      race(sleepers.map((userId) => () => reactivatePerson(db, t.siteId, userId, t.adminId, now()))),
      Promise.all(Array.from({ length: 10 }, () => invite(t, 'paid', siteItem))),
    ]);

    const wins = reactivated.filter((result) => result.status === 'fulfilled').length + invited.filter((row) => row.outcome.invited).length;
    expect(wins).toBe(1);
    expect(refusalCodes(reactivated).every((code) => code === 'user_limit_reached')).toBe(true);
    for (const row of invited.filter((r) => !r.outcome.invited)) expect(row.outcome).toEqual({ invited: false, reason: 'user_limit_reached' });
    expect(await checkSeats(t)).toMatchObject({ paid: 2, guests: 0 });
  });

  it('promotes every guest while exactly one of 15 invites takes the last place under the user limit', async () => {
    // 1 admin, ratio 5: five guests fill the ratio; user limit 7 leaves one place
    const t = await newSite({ userLimit: 7, guestRatio: 5 });
    const guests = [await activePerson(t, 'guest'), await activePerson(t, 'guest')];
    for (let index = 0; index < 3; index++) {
      const { userId, outcome } = await invite(t, 'guest');
      expect(outcome).toEqual({ invited: true });
      guests.push(userId);
    }
    expect(await site(t)).toMatchObject({ paid: 1, guests: 5, ratioRoom: 0, userRoom: 1 });
    const siteItem = await site(t);

    const kinds = Array.from({ length: 15 }, (_, index) => (index % 3 === 0 ? 'paid' : 'guest') as 'paid' | 'guest');
    const [promoted, invited] = await Promise.all([
      race(guests.map((userId) => () => promoteGuest(db, t.siteId, userId, t.adminId, now()))),
      Promise.all(kinds.map((kind) => invite(t, kind, siteItem))),
    ]);

    expect(refusalCodes(promoted)).toEqual([]);
    const winners = invited.filter((row) => row.outcome.invited);
    expect(winners).toHaveLength(1);
    invited.forEach((row, index) => {
      if (row.outcome.invited) return;
      // A paid invite only ever lacks the place; a guest invite before any promotion lacks the guest room
      if (kinds[index] === 'paid') expect(row.outcome).toEqual({ invited: false, reason: 'user_limit_reached' });
      else expect(['user_limit_reached', 'guest_limit_reached']).toContain(row.outcome.reason);
    });
    const seats = await checkSeats(t);
    expect(seats.paid + seats.guests).toBe(7);
    expect(seats.paid).toBeGreaterThanOrEqual(6);
    expect(auditCount(seats.items, t, 'guest.promoted')).toBe(5);
  });

  it('lets guest invites use only the guest room that concurrent promotions really made', async () => {
    // 1 admin, ratio 1, one guest: no guest room until the guest is promoted, then ratio + 1 = 2
    const t = await newSite({ userLimit: 100, guestRatio: 1 });
    const guest = await activePerson(t, 'guest');
    const siteItem = await site(t);
    expect(siteItem).toMatchObject({ ratioRoom: 0 });

    const [promoted, invited] = await Promise.all([
      race([() => promoteGuest(db, t.siteId, guest, t.adminId, now())]),
      Promise.all(Array.from({ length: 20 }, () => invite(t, 'guest', siteItem))),
    ]);

    expect(refusalCodes(promoted)).toEqual([]);
    const wins = invited.filter((row) => row.outcome.invited).length;
    expect(wins).toBeLessThanOrEqual(2);
    for (const row of invited.filter((r) => !r.outcome.invited)) expect(row.outcome).toEqual({ invited: false, reason: 'guest_limit_reached' });
    expect(await checkSeats(t)).toMatchObject({ paid: 2, guests: wins });
  });
});

describe('racing a space deletion', () => {
  it('leaves no guest on a deleted space while guests are assigned, moved and unassigned around it', async () => {
    const t = await newSite({ userLimit: 100, guestRatio: 20 });
    const inEng: string[] = [];
    const without: string[] = [];
    for (let index = 0; index < 8; index++) {
      const inSpace = await invite(t, 'guest', undefined, 'ENG');
      const noSpace = await invite(t, 'guest', undefined, null);
      expect([inSpace.outcome, noSpace.outcome]).toEqual([{ invited: true }, { invited: true }]);
      inEng.push(inSpace.userId);
      without.push(noSpace.userId);
    }

    // Spread over the deletion's steps (mark, unassign, delete): some come before, some during, some after
    const later = <T>(run: () => Promise<T>, index: number) => async () => {
      await new Promise((resolve) => setTimeout(resolve, index * 60));
      return run();
    };
    const results = await race<unknown>([
      ...without.map((userId, index) => later(() => assignSpace(db, t.siteId, userId, 'ENG', t.adminId, now()), index)),
      () => deleteSpace(db, t.siteId, 'ENG', t.adminId, now()),
      ...inEng.slice(0, 3).map((userId, index) => later(() => assignSpace(db, t.siteId, userId, 'MKT', t.adminId, now()), 2 * index)),
      ...inEng.slice(3, 6).map((userId, index) => later(() => unassignSpace(db, t.siteId, userId, t.adminId, now()), 2 * index + 1)),
    ]);

    // The deletion itself succeeds; an assignment that comes too late is told the space is gone
    // (404), or that it is going (409): the guest did nothing wrong, so never a 503
    expect(results[without.length]).toMatchObject({ status: 'fulfilled' });
    for (const code of refusalCodes(results)) expect(['not_found', 'conflict']).toContain(code);
    const { items } = await checkSeats(t);
    expect(items.filter((item) => item.type === 'space' && item.siteId === t.siteId).map((item) => item.key)).toEqual(['MKT']);
    const moved = items.filter((item) => item.type === 'person' && item.siteId === t.siteId && item.spaceKey === 'MKT').map((item) => item.userId);
    expect(moved.sort()).toEqual(inEng.slice(0, 3).sort());
    expect(auditCount(items, t, 'space.deleted')).toBe(1);
  });
});

describe('a space whose deletion is under way', () => {
  it('refuses a new guest with 404 or 409, the way an invite does, not with a 503', async () => {
    const t = await newSite({ userLimit: 100, guestRatio: 20 });
    const guest = await invite(t, 'guest', undefined, null);
    expect(guest.outcome).toEqual({ invited: true });
    // The mark deleteSpace sets first (and leaves behind if it stops part-way)
    await db.client.send(
      new UpdateCommand({ TableName: db.tableName, Key: spaceItemKey(t.siteId, 'ENG'), UpdateExpression: 'SET deleting = :now', ExpressionAttributeValues: { ':now': now() } }),
    );

    // An invite into it is told the space is not there
    await expect(invite(t, 'guest', undefined, 'ENG')).rejects.toMatchObject({ code: 'not_found' });
    // An assignment must be refused the same way: the space is going, the guest did not change
    const refused = await assignSpace(db, t.siteId, guest.userId, 'ENG', t.adminId, now()).then(
      () => 'assigned',
      (error: unknown) => (error instanceof AppError ? error.code : String(error)),
    );
    expect(['not_found', 'conflict']).toContain(refused);
    const { items } = await checkSeats(t);
    expect(items.find((item) => item.type === 'person' && item.userId === guest.userId)).not.toHaveProperty('spaceKey');
  });
});

describe('status index keys under a concurrent promotion', () => {
  it('activates a guest promoted between the read and the write as paid, in the paid status partition', async () => {
    const t = await newSite({ userLimit: 100, guestRatio: 5 });
    const { userId, invitationId } = await invite(t, 'guest');
    const at = new Date();
    const claim = await claimInvitationSend(db, t.siteId, invitationId, at);
    if (claim.kind !== 'claimed') throw new Error(`claim: ${claim.kind}`);
    await acceptInvitation(db, await openInvitationLink(db, claim.token, at), undefined, at);
    let raced = false;
    const racing = beforeFirstTransaction(db, async () => {
      raced = true;
      await promoteGuest(db, t.siteId, userId, t.adminId, now());
    });

    expect(await activatePerson(racing, t.siteId, userId, invitationId, now())).toMatchObject({ kind: 'paid', status: 'active' });
    expect(raced).toBe(true);
    const stored = (await scanAll(db)).find((item) => item.type === 'person' && item.userId === userId);
    expect(stored).toMatchObject({ kind: 'paid', status: 'active', gsi1pk: `SITE#${t.siteId}#KIND#paid`, gsi2pk: `SITE#${t.siteId}#PAID_STATUS#active` });
    expect(stored).not.toHaveProperty('gsi3pk');
    await checkSeats(t);
  });
});

describe('racing on one person', () => {
  it('takes the seat once when one deactivated guest is reactivated 10 times at once', async () => {
    const t = await newSite({ userLimit: 100, guestRatio: 5 });
    const [userId] = await deactivated(t, 'guest', 1);
    const results = await race(Array.from({ length: 10 }, () => () => reactivatePerson(db, t.siteId, userId!, t.adminId, now())));
    expect(refusalCodes(results)).toEqual([]);
    for (const result of results) expect(result).toMatchObject({ status: 'fulfilled', value: { status: 'active' } });
    const { guests, items } = await checkSeats(t);
    expect(guests).toBe(1);
    expect(auditCount(items, t, 'person.reactivated')).toBe(1);
  });

  it('moves the seat once when one guest is promoted 10 times at once', async () => {
    const t = await newSite({ userLimit: 100, guestRatio: 2 });
    const userId = await activePerson(t, 'guest');
    const results = await race(Array.from({ length: 10 }, () => () => promoteGuest(db, t.siteId, userId, t.adminId, now())));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(refusalCodes(results)).toEqual(Array<string>(9).fill('conflict'));
    const seats = await checkSeats(t);
    expect(seats).toMatchObject({ paid: 2, guests: 0 });
    expect(auditCount(seats.items, t, 'guest.promoted')).toBe(1);
  });

  it('keeps the counters right when one guest is deactivated, reactivated, promoted and removed at once', async () => {
    for (let round = 0; round < 3; round++) {
      const t = await newSite({ userLimit: 100, guestRatio: 2 });
      const userId = await activePerson(t, 'guest');
      const results = await race<unknown>([
        () => deactivatePerson(db, t.siteId, userId, t.adminId, now()),
        () => reactivatePerson(db, t.siteId, userId, t.adminId, now()),
        () => promoteGuest(db, t.siteId, userId, t.adminId, now()),
        () => deactivatePerson(db, t.siteId, userId, t.adminId, now()),
        () => reactivatePerson(db, t.siteId, userId, t.adminId, now()),
        ...(round > 0 ? [() => removeAppAccess(db, t.siteId, userId, t.adminId, now())] : []),
      ]);
      // Refusals are the rules' answers to a state another racer made; none may be anything else.
      for (const code of refusalCodes(results)) expect(['conflict', 'not_found', 'guest_limit_reached', 'user_limit_reached']).toContain(code);
      await checkSeats(t);
    }
  });
});
