import { beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../shared/directory/directory';
import { inviteOne } from '../../shared/directory/invitations';
import type { PersonItem } from '../../shared/directory/entities/person';
import type { SiteItem } from '../../shared/directory/entities/site';
import { acceptInvitation, openInvitationLink } from '../../shared/directory/onboarding/links';
import { activatePerson } from '../../shared/directory/onboarding/activation';
import { claimInvitationSend } from '../../shared/directory/onboarding/email-lease';
import { deactivatePerson } from '../../shared/directory/people/status';
import { listUsers, type UserFilter } from '../../shared/directory/people/user-list';
import { promoteGuest } from '../../shared/directory/people/promotion';
import { removeAppAccess } from '../../shared/directory/people/departure';
import { createSite, getSite } from '../../shared/directory/sites';
import { AppError } from '../../shared/domain/errors';
import type { Kind, PersonStatus } from '../../shared/domain/vocabulary';
import { newInvitationId, newUserId } from '../../shared/ids';
import { countItemsRead } from '../support/read-counter';
import { directoryOf, freshDirectory, scanAll } from '../support/directory';

/**
 * The users list over a site of 1,000 people against DynamoDB Local: paid users and guests in every
 * status, removed ones (some invited again) included, a third with display names. Walked page by
 * page with an odd page size under each filter and search, it returns exactly the people it should,
 * once each, in its order, through Queries and BatchGets only — never a Scan.
 */
const SITE_ID = 'big-user-list';
const PEOPLE = 1000;
const PAGE = 37;
const BATCH = 25;
const BASE = Date.now() - 3 * 86_400_000;
/** Two invitations per second: ties of the time must not break paging. */
const invitedAtOf = (index: number) => new Date(BASE + Math.floor(index / 2) * 1000).toISOString();
const EXPIRES_AT = new Date(BASE + 20 * 86_400_000).toISOString();
const LATER = new Date(BASE + 86_400_000);
const REINVITED_AT = (index: number) => new Date(BASE + 2 * 86_400_000 + index * 1000).toISOString();

const ADDRESS_NAMES = ['ann', 'anna', 'annika', 'bob', 'ben', 'emile', 'zoe', 'ola', 'chris'];
const NAMES = ['Ann', 'anna', 'ANNIKA', 'Bob', 'Ben', 'Émile', 'Zoë', 'Ola', 'Chris', 'Ånund', 'benedikt'];
const SURNAMES = ['Berg', 'Ng', 'Ortiz', 'Smith', 'Åberg', 'Lee', 'Zhou'];

interface Model {
  readonly index: number;
  readonly userId: string;
  readonly email: string;
  invitationId: string;
  invitedAt: string;
  kind: Kind;
  status: PersonStatus;
  displayName: string | undefined;
}

/** What happens to person `index` (by residue): every filter gets people, some get few. */
const plan = {
  kind: (i: number): Kind => (i % 8 === 0 ? 'paid' : 'guest'),
  named: (i: number) => i % 3 === 0,
  activate: (i: number) => i % 6 === 0,
  deactivate: (i: number) => i % 30 === 0,
  remove: (i: number) => i % 20 === 1,
  reinvite: (i: number) => i % 100 === 1,
  promote: (i: number) => i % 50 === 2,
};

let db: Directory;
let site: SiteItem;
const model: Model[] = [];

async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: BATCH }, worker));
}

function inviteRow(person: Model) {
  return {
    site,
    email: person.email,
    kind: person.kind,
    roles: { wiki: person.kind === 'guest' ? ('guest' as const) : ('user' as const) },
    groups: [],
    invitedBy: 'usr_admin',
    inviterName: 'Admin',
    userId: person.userId,
    invitationId: person.invitationId,
    now: person.invitedAt,
    expiresAt: EXPIRES_AT,
  };
}

beforeAll(async () => {
  db = await freshDirectory('user-list');
  const created = await createSite(
    db,
    {
      siteId: SITE_ID,
      name: 'Big user list',
      orgId: 'org-big-users',
      plan: 'standard',
      userLimit: 5000,
      guestRatio: 2000,
      inviteExpiryDays: 30,
      admins: [{ email: 'admin@big-users.example', displayName: 'Annelie Admin', role: 'site-admin' }],
    },
    'operator',
    new Date(BASE - 1000).toISOString(),
  );
  site = created.site;
  const admin = created.admins[0]!;
  model.push({ index: -1, userId: admin.userId, email: admin.email, invitationId: '', invitedAt: new Date(BASE - 1000).toISOString(), kind: 'paid', status: 'active', displayName: 'Annelie Admin' });

  const people: Model[] = [];
  for (let index = 0; index < PEOPLE; index++) {
    people.push({
      index,
      userId: newUserId(),
      email: `${ADDRESS_NAMES[index % ADDRESS_NAMES.length]}.${index}@partner${index % 5}.example`,
      invitationId: newInvitationId(),
      invitedAt: invitedAtOf(index),
      kind: plan.kind(index),
      status: 'invited',
      displayName: undefined,
    });
  }
  model.push(...people);
  await inBatches(people, async (person) => {
    expect(await inviteOne(db, inviteRow(person))).toEqual({ invited: true });
  });

  const at = LATER.toISOString();
  await inBatches(people, async (person) => {
    const i = person.index;
    if (plan.named(i)) {
      const claim = await claimInvitationSend(db, SITE_ID, person.invitationId, LATER);
      if (claim.kind !== 'claimed') throw new Error(`claim ${person.userId}: ${claim.kind}`);
      const displayName = `${NAMES[(i * 7) % NAMES.length]} ${SURNAMES[i % SURNAMES.length]}`;
      await acceptInvitation(db, await openInvitationLink(db, claim.token, LATER), displayName, LATER);
      person.displayName = displayName;
      if (plan.activate(i)) {
        expect((await activatePerson(db, SITE_ID, person.userId, person.invitationId, at))?.status).toBe('active');
        person.status = 'active';
        if (plan.deactivate(i)) {
          await deactivatePerson(db, SITE_ID, person.userId, 'usr_admin', at);
          person.status = 'deactivated';
        }
      }
    }
    if (plan.promote(i) && person.kind === 'guest') {
      await promoteGuest(db, SITE_ID, person.userId, 'usr_admin', at);
      person.kind = 'paid';
    }
    if (plan.remove(i)) {
      await removeAppAccess(db, SITE_ID, person.userId, 'usr_admin', at);
      person.status = 'removed';
      if (plan.reinvite(i)) {
        person.invitationId = newInvitationId();
        person.invitedAt = REINVITED_AT(i);
        expect(await inviteOne(db, { ...inviteRow(person), userId: newUserId() })).toEqual({ invited: true, userId: person.userId });
        person.status = 'invited';
      }
    }
  });
}, 300_000);

interface Walk {
  readonly people: PersonItem[];
  readonly pages: number[];
}

async function walk(on: Directory, filter: Omit<UserFilter, 'limit' | 'cursor'>): Promise<Walk> {
  const people: PersonItem[] = [];
  const pages: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await listUsers(on, SITE_ID, { ...filter, limit: PAGE, cursor });
    people.push(...page.users);
    pages.push(page.users.length);
    cursor = page.nextCursor;
    expect(pages.length).toBeLessThan(100);
  } while (cursor);
  return { people, pages };
}

const bytes = (text: string) => Buffer.from(text, 'utf8');
const byBytes = (a: string, b: string) => Buffer.compare(bytes(a), bytes(b));

/** The contract's order without q: newest invitation first (then the id, as the index keys do). */
function newestFirst(people: Model[]): Model[] {
  return [...people].sort((a, b) => byBytes(`${b.invitedAt}#${b.userId}`, `${a.invitedAt}#${a.userId}`));
}

/** With q: each person once, at the first of their matching name (lower-cased, then id) or address. */
function matchOrder(people: Model[], q: string): Model[] {
  const placed = people.flatMap((person) => {
    const places: [string, number][] = [];
    if (person.displayName?.toLowerCase().startsWith(q)) places.push([`${person.displayName.toLowerCase()}#${person.userId}`, 0]);
    if (person.email.startsWith(q)) places.push([person.email, 1]);
    places.sort((a, b) => byBytes(a[0], b[0]) || a[1] - b[1]);
    return places.length > 0 ? [{ person, place: places[0]! }] : [];
  });
  placed.sort((a, b) => byBytes(a.place[0], b.place[0]) || a.place[1] - b.place[1]);
  return placed.map((entry) => entry.person);
}

function expected(filter: Omit<UserFilter, 'limit' | 'cursor'>): Model[] {
  const matching = model.filter((person) => (filter.kind === undefined || person.kind === filter.kind) && (filter.status === undefined || person.status === filter.status));
  return filter.q ? matchOrder(matching, filter.q.toLowerCase()) : newestFirst(matching);
}

/** Exactly the expected people, once each, in the list's order, in full pages with no empty page at the end. */
function checkWalk(result: Walk, want: Model[]) {
  expect(result.people.map((person) => person.userId)).toEqual(want.map((person) => person.userId));
  const fullPages = Math.floor(want.length / PAGE);
  const rest = want.length % PAGE;
  expect(result.pages).toEqual(want.length === 0 ? [0] : [...Array<number>(fullPages).fill(PAGE), ...(rest > 0 ? [rest] : [])]);
  const byId = new Map(want.map((person) => [person.userId, person]));
  for (const person of result.people) {
    const model = byId.get(person.userId)!;
    expect({ kind: person.kind, status: person.status, email: person.email, displayName: person.displayName, invitedAt: person.invitedAt }).toEqual({
      kind: model.kind,
      status: model.status,
      email: model.email,
      displayName: model.displayName,
      invitedAt: model.invitedAt,
    });
  }
}

/** A client of its own for the code under test, recording every command it sends. */
function watchedDirectory() {
  const watched = directoryOf(db.tableName);
  const commands = new Set<string>();
  watched.client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.add(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return { watched, commands, reads: countItemsRead(watched) };
}

const FILTERS: Omit<UserFilter, 'limit' | 'cursor'>[] = [
  {},
  { kind: 'guest' },
  { kind: 'paid' },
  ...(['invited', 'active', 'deactivated', 'removed'] as const).map((status) => ({ status })),
  { kind: 'guest', status: 'removed' },
  { kind: 'paid', status: 'active' },
  { kind: 'paid', status: 'removed' },
  { kind: 'guest', status: 'suspended' },
  { q: 'ann' },
  { q: 'ANNA' },
  { q: 'an' },
  { q: 'b' },
  { q: 'é' },
  { q: 'å' },
  { q: 'zoe.1' },
  { q: 'ann', kind: 'paid' },
  { q: 'b', status: 'removed' },
  { q: 'a', kind: 'guest', status: 'invited' },
  { q: 'nobody' },
];

describe('the users list of a site with 1,000 people', () => {
  it('holds the data the filters need', async () => {
    const counters = await getSite(db, SITE_ID);
    const seated = (kind: Kind) => model.filter((person) => person.kind === kind && ['invited', 'active', 'suspended'].includes(person.status)).length;
    expect(counters).toMatchObject({ paid: seated('paid'), guests: seated('guest') });
    expect(model.filter((person) => person.status === 'removed').length).toBe(40);
    expect(model.filter((person) => person.displayName !== undefined).length).toBe(335);
    // Every filter of the walks below has people, save the ones meant to be empty
    for (const filter of FILTERS) {
      const empty = filter.q === 'nobody' || filter.status === 'suspended' || (filter.kind === 'paid' && filter.status === 'removed');
      expect(expected(filter).length > 0, JSON.stringify(filter)).toBe(!empty);
    }
    expect(expected({ q: 'ann' }).some((person) => person.displayName?.toLowerCase().startsWith('ann') && person.email.startsWith('ann'))).toBe(true);
  });

  for (const filter of FILTERS) {
    it(`lists exactly the people of ${JSON.stringify(filter)}, once each, in order, with Queries only`, async () => {
      const { watched, commands } = watchedDirectory();
      checkWalk(await walk(watched, filter), expected(filter));
      expect([...commands].filter((command) => command !== 'QueryCommand' && command !== 'BatchGetItemCommand')).toEqual([]);
    });
  }

  it('reads about as many items as it lists, not the partitions behind them', async () => {
    for (const filter of [{ kind: 'paid', status: 'deactivated' }, { status: 'removed' }, { q: 'zoe.1' }, { q: 'ånund' }] as const) {
      const { watched, reads } = watchedDirectory();
      const listed = (await walk(watched, filter)).people.length;
      expect(listed, JSON.stringify(filter)).toBeGreaterThan(0);
      // Each source reads at most one page-and-one past what the page needs; address matches cost their claim and their person
      expect(reads.total(), JSON.stringify(filter)).toBeLessThanOrEqual(2 * listed + 2 * (PAGE + 1));
    }
  });

  it('keeps the same person under their id after removal and re-invitation, newest first by the new invitation', async () => {
    const returned = model.filter((person) => plan.reinvite(person.index));
    expect(returned).toHaveLength(10);
    const first = await listUsers(db, SITE_ID, { limit: 10 });
    expect(first.users.map((person) => person.userId)).toEqual(newestFirst(returned).map((person) => person.userId));
    const stored = (await scanAll(db)).filter((item) => item.type === 'person' && item.siteId === SITE_ID);
    expect(stored).toHaveLength(PEOPLE + 1);
  });

  it('refuses a cursor of another list, or one not given out, with validation_failed', async () => {
    const cursorOf = async (filter: Omit<UserFilter, 'limit' | 'cursor'>) => {
      const page = await listUsers(db, SITE_ID, { ...filter, limit: PAGE });
      expect(page.nextCursor).toEqual(expect.any(String));
      return page.nextCursor!;
    };
    const all = await cursorOf({});
    const guests = await cursorOf({ kind: 'guest' });
    const ann = await cursorOf({ q: 'an' });
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const misuses: [string, Omit<UserFilter, 'limit' | 'cursor'>][] = [
      [all, { kind: 'guest' }],
      [all, { status: 'active' }],
      [guests, {}],
      [guests, { kind: 'paid' }],
      [ann, { q: 'ann' }],
      [ann, {}],
      [all, { q: 'an' }],
      ['not a cursor', {}],
      [forged({ list: JSON.stringify(['', '', 'an']), key: 'zz', rank: 0 }), { q: 'an' }],
      [forged({ list: JSON.stringify(['', '', 'an']), key: 'an', rank: 7 }), { q: 'an' }],
      [forged({ list: JSON.stringify(['', '', '']), key: 'x'.repeat(2000), rank: 0 }), {}],
    ];
    for (const [cursor, filter] of misuses) {
      const error = await listUsers(db, SITE_ID, { ...filter, limit: PAGE, cursor }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, `${cursor.slice(0, 20)} ${JSON.stringify(filter)}`).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('validation_failed');
    }
    expect((await listUsers(db, SITE_ID, { q: 'an', limit: PAGE, cursor: ann })).users.length).toBeGreaterThan(0);
  });
});
