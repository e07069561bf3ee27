import { beforeAll, describe, expect, it } from 'vitest';
import { createSpace } from '../../shared/directory/spaces';
import type { Directory } from '../../shared/directory/directory';
import { inviteOne } from '../../shared/directory/invitations';
import type { PersonItem } from '../../shared/directory/entities/person';
import type { SiteItem } from '../../shared/directory/entities/site';
import { acceptInvitation, openInvitationLink } from '../../shared/directory/onboarding/links';
import { activatePerson } from '../../shared/directory/onboarding/activation';
import { assignSpace } from '../../shared/directory/onboarding/space-assignment';
import { claimInvitationSend } from '../../shared/directory/onboarding/email-lease';
import { deactivatePerson } from '../../shared/directory/people/status';
import { listGuests, type GuestFilter } from '../../shared/directory/people/guest-list';
import { promoteGuest } from '../../shared/directory/people/promotion';
import { removeAppAccess } from '../../shared/directory/people/departure';
import { unassignSpace } from '../../shared/directory/people/space';
import { createSite, getSite } from '../../shared/directory/sites';
import { AppError } from '../../shared/domain/errors';
import { newInvitationId, newUserId } from '../../shared/ids';
import type { PersonStatus } from '../../shared/domain/people';
import { freshDirectory } from '../support/directory';

/**
 * The guest list over a site of 1,000 guests against DynamoDB Local: every filter, walked page by
 * page with an odd page size, returns exactly the guests it should, once each, newest first, and a
 * cursor only ever continues the list that gave it out.
 */
const SITE_ID = 'big-guest-list';
const ADMIN = 'usr_admin';
const GUESTS = 1000;
const PAGE = 37;
const BATCH = 25;
/** Invitation times: one second apart, two guests per second (ties must not break paging). */
const BASE = Date.now() - 2 * 86_400_000;
const invitedAtOf = (index: number) => new Date(BASE + Math.floor(index / 2) * 1000).toISOString();
const EXPIRES_AT = new Date(BASE + 20 * 86_400_000).toISOString();
const LATER = new Date(BASE + 86_400_000);

interface Model {
  readonly index: number;
  readonly userId: string;
  readonly invitationId: string;
  readonly invitedAt: string;
  status: PersonStatus;
  spaceKey: string | undefined;
  /** Still a guest of the site (not removed, not promoted). */
  listed: boolean;
}

let db: Directory;
let site: SiteItem;
const model: Model[] = [];

/** The plan for guest `index`: its space at invite time and what happens to it later (by residue). */
const plan = {
  spaceAtInvite: (i: number) => (i % 10 === 0 ? 'ENG' : i % 10 === 1 ? 'MKT' : i % 10 === 4 && i < 740 ? 'OPS' : undefined),
  assignLater: (i: number) => (i % 20 === 2 ? 'ENG' : i % 40 === 3 ? 'MKT' : undefined),
  unassignLater: (i: number) => i % 40 === 3,
  activate: (i: number) => i % 25 === 0,
  deactivate: (i: number) => i % 75 === 0,
  remove: (i: number) => i % 50 === 49,
  promote: (i: number) => i % 50 === 48,
};

/** Runs `work` over `items` with BATCH calls in flight at a time (a pool, so one slow call holds up no batch). */
async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: BATCH }, worker));
}

/** The onboarding path a guest takes, without the workflow: link issued, opened, accepted, activated. */
async function activate(guest: Model): Promise<void> {
  const claim = await claimInvitationSend(db, SITE_ID, guest.invitationId, LATER);
  if (claim.kind !== 'claimed') throw new Error(`claim ${guest.userId}: ${claim.kind}`);
  const open = await openInvitationLink(db, claim.token, LATER);
  await acceptInvitation(db, open, undefined, LATER);
  const person = await activatePerson(db, SITE_ID, guest.userId, guest.invitationId, LATER.toISOString());
  expect(person?.status).toBe('active');
}

beforeAll(async () => {
  db = await freshDirectory('guest-list');
  ({ site } = await createSite(
    db,
    {
      siteId: SITE_ID,
      name: 'Big guest list',
      orgId: 'org-big',
      plan: 'standard',
      userLimit: 5000,
      guestRatio: 2000,
      inviteExpiryDays: 30,
      admins: [{ email: 'admin@big.example', role: 'site-admin' }],
    },
    'operator',
    new Date(BASE - 1000).toISOString(),
  ));
  for (const key of ['ENG', 'MKT', 'OPS']) {
    await createSpace(db, { siteId: SITE_ID, key, name: key, anonymousAccess: false }, ADMIN, new Date(BASE - 500).toISOString());
  }

  for (let index = 0; index < GUESTS; index++) {
    model.push({ index, userId: newUserId(), invitationId: newInvitationId(), invitedAt: invitedAtOf(index), status: 'invited', spaceKey: plan.spaceAtInvite(index), listed: true });
  }
  await inBatches(model, async (guest) => {
    const outcome = await inviteOne(db, {
      site,
      email: `guest${guest.index}@partner${guest.index % 7}.example`,
      kind: 'guest',
      roles: { wiki: 'guest' },
      groups: [],
      spaceKey: guest.spaceKey,
      invitedBy: ADMIN,
      inviterName: 'Admin',
      userId: guest.userId,
      invitationId: guest.invitationId,
      now: guest.invitedAt,
      expiresAt: EXPIRES_AT,
    });
    expect(outcome).toEqual({ invited: true });
  });

  const at = LATER.toISOString();
  await inBatches(model, async (guest) => {
    const later = plan.assignLater(guest.index);
    if (later) {
      await assignSpace(db, SITE_ID, guest.userId, later, ADMIN, at);
      guest.spaceKey = later;
    }
    if (plan.unassignLater(guest.index)) {
      await unassignSpace(db, SITE_ID, guest.userId, ADMIN, at);
      guest.spaceKey = undefined;
    }
    if (plan.activate(guest.index)) {
      await activate(guest);
      guest.status = 'active';
    }
    if (plan.deactivate(guest.index)) {
      await deactivatePerson(db, SITE_ID, guest.userId, ADMIN, at);
      guest.status = 'deactivated';
    }
    if (plan.remove(guest.index)) {
      await removeAppAccess(db, SITE_ID, guest.userId, ADMIN, at);
      guest.listed = false;
    }
    if (plan.promote(guest.index)) {
      await promoteGuest(db, SITE_ID, guest.userId, ADMIN, at);
      guest.listed = false;
    }
  });
}, 240_000);

interface Walk {
  readonly ids: string[];
  readonly people: PersonItem[];
  readonly pages: number[];
}

async function walk(filter: Omit<GuestFilter, 'limit' | 'cursor'>): Promise<Walk> {
  const people: PersonItem[] = [];
  const pages: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await listGuests(db, SITE_ID, { ...filter, limit: PAGE, cursor });
    expect(page.guests.length).toBeLessThanOrEqual(PAGE);
    people.push(...page.guests);
    pages.push(page.guests.length);
    cursor = page.nextCursor;
    expect(pages.length).toBeLessThan(100);
  } while (cursor);
  return { ids: people.map((person) => person.userId), people, pages };
}

function expected(predicate: (guest: Model) => boolean): Model[] {
  return model.filter((guest) => guest.listed && predicate(guest));
}

/** Exactly the expected guests, once each, newest first, in full pages with no empty page at the end. */
function checkWalk(result: Walk, want: Model[]) {
  expect(want.length).toBeGreaterThan(0);
  expect(new Set(result.ids).size).toBe(result.ids.length);
  expect([...result.ids].sort()).toEqual(want.map((guest) => guest.userId).sort());
  for (let index = 1; index < result.people.length; index++) {
    expect(result.people[index - 1]!.invitedAt >= result.people[index]!.invitedAt).toBe(true);
  }
  // Every page but the last is full, and the last page holds the rest: a list that ends exactly on
  // a page boundary must not hand out a cursor to an empty page.
  const fullPages = Math.floor(want.length / PAGE);
  const rest = want.length % PAGE;
  expect(result.pages).toEqual([...Array<number>(fullPages).fill(PAGE), ...(rest > 0 ? [rest] : [])]);
  // What the list says about each guest is what the guest is now.
  const byId = new Map(want.map((guest) => [guest.userId, guest]));
  for (const person of result.people) {
    const guest = byId.get(person.userId)!;
    expect({ kind: person.kind, status: person.status, spaceKey: person.spaceKey, invitedAt: person.invitedAt }).toEqual({
      kind: 'guest',
      status: guest.status,
      spaceKey: guest.spaceKey,
      invitedAt: guest.invitedAt,
    });
  }
}

describe('the guest list of a site with 1,000 guests', () => {
  it('holds the data the filters need', async () => {
    const counters = await getSite(db, SITE_ID);
    const seated = model.filter((guest) => guest.listed && guest.status !== 'deactivated').length;
    // A promoted guest holds a paid seat unless deactivated (deactivated people hold none).
    const promotedSeated = model.filter((guest) => plan.promote(guest.index) && guest.status !== 'deactivated').length;
    expect(counters).toMatchObject({ guests: seated, paid: 1 + promotedSeated });
    expect(expected(() => true)).toHaveLength(960);
    expect(expected((guest) => guest.spaceKey === 'OPS')).toHaveLength(2 * PAGE);
  });

  it('lists every guest once, newest first, with no filter', async () => {
    checkWalk(await walk({}), expected(() => true));
  });

  for (const status of ['invited', 'active', 'deactivated'] as const) {
    it(`lists exactly the ${status} guests`, async () => {
      checkWalk(await walk({ status }), expected((guest) => guest.status === status));
    });
  }

  for (const spaceKey of ['ENG', 'MKT']) {
    it(`lists exactly the guests of ${spaceKey}`, async () => {
      checkWalk(await walk({ spaceKey }), expected((guest) => guest.spaceKey === spaceKey));
    });
  }

  it('ends a list that fills its last page exactly without a cursor to an empty page', async () => {
    checkWalk(await walk({ spaceKey: 'OPS' }), expected((guest) => guest.spaceKey === 'OPS'));
  });

  it('lists exactly the guests without a space', async () => {
    checkWalk(await walk({ noSpace: true }), expected((guest) => guest.spaceKey === undefined));
  });

  it('lists exactly the guests of a space with a status', async () => {
    checkWalk(await walk({ spaceKey: 'ENG', status: 'active' }), expected((guest) => guest.spaceKey === 'ENG' && guest.status === 'active'));
    checkWalk(await walk({ noSpace: true, status: 'invited' }), expected((guest) => guest.spaceKey === undefined && guest.status === 'invited'));
  });

  it('refuses a cursor of one list on another with validation_failed', async () => {
    const cursorOf = async (filter: Omit<GuestFilter, 'limit' | 'cursor'>) => {
      const page = await listGuests(db, SITE_ID, { ...filter, limit: PAGE });
      expect(page.nextCursor).toEqual(expect.any(String));
      return page.nextCursor!;
    };
    const cursors = {
      all: await cursorOf({}),
      invited: await cursorOf({ status: 'invited' }),
      mkt: await cursorOf({ spaceKey: 'MKT' }),
      eng: await cursorOf({ spaceKey: 'ENG' }),
      noSpace: await cursorOf({ noSpace: true }),
    };
    const misuses: [string, Omit<GuestFilter, 'limit' | 'cursor'>][] = [
      [cursors.all, { status: 'invited' }],
      [cursors.all, { spaceKey: 'ENG' }],
      [cursors.invited, {}],
      [cursors.invited, { status: 'active' }],
      [cursors.mkt, { spaceKey: 'ENG' }],
      [cursors.mkt, { status: 'active' }],
      [cursors.eng, { spaceKey: 'MKT' }],
      [cursors.eng, { noSpace: true }],
      [cursors.eng, {}],
      [cursors.noSpace, { spaceKey: 'ENG' }],
      [cursors.noSpace, { status: 'invited' }],
    ];
    for (const [cursor, filter] of misuses) {
      const error = await listGuests(db, SITE_ID, { ...filter, limit: PAGE, cursor }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, JSON.stringify(filter)).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('validation_failed');
    }
    // The right list still takes it
    const next = await listGuests(db, SITE_ID, { spaceKey: 'ENG', limit: PAGE, cursor: cursors.eng });
    expect(next.guests.length).toBeGreaterThan(0);
  });
});
