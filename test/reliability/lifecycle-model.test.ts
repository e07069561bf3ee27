import fc from 'fast-check';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAccessFacts } from '../../shared/directory/access';
import { createSpace, deleteSpace, updateSpace } from '../../shared/directory/spaces';
import type { Directory } from '../../shared/directory/directory';
import { createGroup } from '../../shared/directory/group-catalog';
import { changeGroupRole } from '../../shared/directory/groups/role';
import { requireGroup } from '../../shared/directory/groups/read';
import { inviteOne } from '../../shared/directory/invitations';
import { DEFAULT_EXTERNAL_USER_POLICY } from '../../shared/directory/entities/site';
import { acceptInvitation, openInvitationLink } from '../../shared/directory/onboarding/links';
import { activatePerson } from '../../shared/directory/onboarding/activation';
import { assignSpace } from '../../shared/directory/onboarding/space-assignment';
import { claimInvitationSend } from '../../shared/directory/onboarding/email-lease';
import { deactivatePerson, reactivatePerson } from '../../shared/directory/people/status';
import { promoteGuest } from '../../shared/directory/people/promotion';
import { deletePerson, removeAppAccess } from '../../shared/directory/people/departure';
import { unassignSpace } from '../../shared/directory/people/space';
import { createSite, getSite } from '../../shared/directory/sites';
import { decideAccess } from '../../shared/domain/access';
import { AppError } from '../../shared/domain/errors';
import type { PersonStatus } from '../../shared/domain/people';
import { newGroupId, newInvitationId, newUserId } from '../../shared/ids';
import { changeExternalUserPolicy, reviewPolicyChange } from '../../shared/usecases/external-policy';
import { freshDirectory } from '../support/directory';

/**
 * A model test of the guest lifecycle (fast-check `fc.commands` / `fc.asyncModelRun`) against
 * DynamoDB Local. Each run builds a small site at both of its limits, then plays a random sequence
 * of invite, accept, assign, unassign, remove, re-invite, promote, deactivate, reactivate, delete,
 * group role changes, reviewed policy changes and space changes. The model is plain arithmetic and
 * sets, kept apart from the domain code: it predicts which invites, reactivations and guest-group
 * changes the seat and paid-user rules must refuse, and after EVERY command the stored site is
 * checked against it — the counters are the people stored, guests ≤ ratio × paid (or, once a paid
 * user's departure left the site over its ratio, no guest seat taken), paid + guests ≤ the user
 * limit, each person's kind, status, space and group as the model has them, and every access
 * decision (web and API-token clients) the one the model gives.
 */
let db: Directory;
beforeAll(async () => {
  db = await freshDirectory('lifecycle-model');
});

const SPACES = ['ENG', 'MKT', 'PUB'] as const;
type SpaceKey = (typeof SPACES)[number];
const SEATED = new Set<PersonStatus>(['invited', 'active', 'suspended']);
const USER_LIMIT = 7;
const RATIO = 2;
type GroupRole = 'guest' | 'user' | 'none';

interface ModelPerson {
  readonly name: string;
  readonly userId: string;
  readonly email: string;
  invitationId: string | undefined;
  kind: 'guest' | 'paid';
  status: PersonStatus;
  spaceKey: string | undefined;
  inGroup: boolean;
  /** Deleted: gone from the site (its data erased); asked about, not a member. */
  deleted?: boolean;
}

interface Model {
  readonly people: ModelPerson[];
  readonly spaces: Map<string, { anonymousAccess: boolean }>;
  /** Addresses that were ever paid on the site: never a guest again (rule 3). */
  readonly paidEmails: Set<string>;
  /** The site's external-user policy as reviewed and applied: API tokens of external users allowed. */
  apiTokensAllowed: boolean;
  groupRole: GroupRole;
}

interface Real {
  readonly siteId: string;
  readonly adminId: string;
  readonly groupId: string;
  readonly history: string[];
}

const seated = (model: Model) => model.people.filter((someone) => !someone.deleted && SEATED.has(someone.status));
function counts(model: Model): { paid: number; guests: number } {
  const people = seated(model);
  return { paid: people.filter((someone) => someone.kind === 'paid').length, guests: people.filter((someone) => someone.kind === 'guest').length };
}

/** The model's own seat arithmetic (rules 2 and 10), written apart from shared/domain/seats. */
function seatFor(model: Model, kind: 'guest' | 'paid'): 'user_limit_reached' | 'guest_limit_reached' | null {
  const { paid, guests } = counts(model);
  if (paid + guests >= USER_LIMIT) return 'user_limit_reached';
  if (kind === 'guest' && guests >= RATIO * paid) return 'guest_limit_reached';
  return null;
}

const now = () => new Date().toISOString();
const DAY = 86_400_000;
let siteCounter = 0;

/** What the workflow does for an accepted invitation: a link is issued, the guest accepts, Activate runs. */
async function onboard(siteId: string, userId: string, invitationId: string): Promise<void> {
  const at = new Date();
  const claim = await claimInvitationSend(db, siteId, invitationId, at);
  if (claim.kind !== 'claimed') throw new AppError('conflict', `The invitation cannot be sent (${claim.kind}).`);
  await acceptInvitation(db, await openInvitationLink(db, claim.token, at), undefined, at);
  const person = await activatePerson(db, siteId, userId, invitationId, now());
  if (person?.status !== 'active') throw new AppError('conflict', 'Not activated.');
}

async function invite(real: Real, input: { email: string; kind: 'guest' | 'paid'; spaceKey?: string | undefined; inGroup: boolean; userId: string; invitationId: string }) {
  const at = new Date();
  const site = (await getSite(db, real.siteId))!;
  return inviteOne(db, {
    site,
    email: input.email,
    kind: input.kind,
    roles: { wiki: input.kind === 'guest' ? 'guest' : 'user' },
    groups: input.inGroup ? [await requireGroup(db, real.siteId, real.groupId)] : [],
    spaceKey: input.kind === 'guest' ? input.spaceKey : undefined,
    invitedBy: real.adminId,
    inviterName: 'Admin',
    userId: input.userId,
    invitationId: input.invitationId,
    now: at.toISOString(),
    expiresAt: new Date(at.getTime() + DAY).toISOString(),
  });
}

/**
 * Two paid users (the admin and one more) and ratio 2 make four guest seats, all taken; the user
 * limit leaves one place. So reactivations, invites and promotions meet both limits within a few
 * steps. Two guests are in one guest group, whose role the commands change.
 */
async function setup(): Promise<{ model: Model; real: Real }> {
  const siteId = `model-${++siteCounter}-${Math.random().toString(36).slice(2, 6)}`;
  const { admins } = await createSite(
    db,
    { siteId, name: siteId, orgId: `org-${siteId}`, plan: 'standard', userLimit: USER_LIMIT, guestRatio: RATIO, inviteExpiryDays: 7, admins: [{ email: `admin@${siteId}.example`, role: 'site-admin' }] },
    'operator',
    now(),
  );
  const adminId = admins[0]!.userId;
  const groupId = newGroupId();
  await createGroup(db, { siteId, groupId, name: 'Partners', role: 'guest' }, adminId, now());
  const real: Real = { siteId, adminId, groupId, history: [] };
  const model: Model = {
    people: [{ name: 'admin', userId: adminId, email: `admin@${siteId}.example`, invitationId: undefined, kind: 'paid', status: 'active', spaceKey: undefined, inGroup: false }],
    paidEmails: new Set([`admin@${siteId}.example`]),
    apiTokensAllowed: true,
    groupRole: 'guest',
    spaces: new Map([
      ['ENG', { anonymousAccess: false }],
      ['MKT', { anonymousAccess: false }],
      ['PUB', { anonymousAccess: true }],
    ]),
  };
  for (const [key, { anonymousAccess }] of model.spaces) await createSpace(db, { siteId, key, name: key, anonymousAccess }, adminId, now());
  const plan: { name: string; kind: 'guest' | 'paid'; spaceKey?: string; active: boolean; inGroup: boolean }[] = [
    { name: 'paid', kind: 'paid', active: true, inGroup: false },
    { name: 'guest-eng', kind: 'guest', spaceKey: 'ENG', active: true, inGroup: true },
    { name: 'guest-none', kind: 'guest', active: true, inGroup: false },
    { name: 'invited-mkt', kind: 'guest', spaceKey: 'MKT', active: false, inGroup: true },
    { name: 'invited-none', kind: 'guest', active: false, inGroup: false },
  ];
  const invitees = plan.map((entry) => ({ ...entry, email: `${entry.name}@${siteId}.example`, userId: newUserId(), invitationId: newInvitationId() }));
  const join = async (entry: (typeof invitees)[number]) => {
    expect(await invite(real, entry)).toEqual({ invited: true });
    if (entry.active) await onboard(siteId, entry.userId, entry.invitationId);
  };
  // The paid user first: their seat makes the room for the last two guests. The group members one
  // at a time: two invites into one group race on its member count.
  await join(invitees[0]!);
  await Promise.all([join(invitees[1]!).then(() => join(invitees[3]!)), join(invitees[2]!), join(invitees[4]!)]);
  for (const { name, email, userId, invitationId, kind, active, spaceKey, inGroup } of invitees) {
    model.people.push({ name, userId, email, invitationId, kind, status: active ? 'active' : 'invited', spaceKey, inGroup });
    if (kind === 'paid') model.paidEmails.add(email);
  }
  expect(await getSite(db, siteId)).toMatchObject({ paid: 2, guests: 4, ratioRoom: 0, userRoom: 1 });
  return { model, real };
}

// ---------------------------------------------------------------------------------------------
// Invariants, after every command
// ---------------------------------------------------------------------------------------------

async function sitePartition(siteId: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await db.client.send(
      new QueryCommand({ TableName: db.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `SITE#${siteId}` }, ExclusiveStartKey: cursor, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return items;
}

/** The seat invariants, and the stored people, spaces and group as the model has them. */
async function checkStored(model: Model, real: Real, before: { paid: number; guests: number }): Promise<void> {
  const where = real.history.join(', ');
  const items = await sitePartition(real.siteId);
  const people = items.filter((item) => item.type === 'person');
  const stored = people.filter((item) => SEATED.has(item.status as PersonStatus));
  const paid = stored.filter((item) => item.kind === 'paid').length;
  const guests = stored.filter((item) => item.kind === 'guest').length;
  const site = (await getSite(db, real.siteId))!;
  // The counters are the people stored, and the people stored are the model's.
  expect({ paid: site.paid, guests: site.guests }, where).toEqual({ paid, guests });
  expect({ paid, guests }, where).toEqual(counts(model));
  expect({ userRoom: site.userRoom, ratioRoom: site.ratioRoom }, where).toEqual({ userRoom: USER_LIMIT - paid - guests, ratioRoom: RATIO * paid - guests });
  // The limits themselves. A paid user who leaves (deactivated, deleted) is not refused for the
  // guests their seat allowed, so a site can end up over its ratio; from there it takes no guest
  // seat until it is back under, so it is only ever over by guests it already had.
  if (guests > RATIO * paid) expect(guests, `over the ratio (${guests} guests, ${paid} paid) and a guest seat taken: ${where}`).toBeLessThanOrEqual(before.guests);
  expect(paid + guests, where).toBeLessThanOrEqual(USER_LIMIT);
  for (const item of items.filter((entry) => entry.type === 'space')) {
    expect(item.guestCount, `${String(item.key)}: ${where}`).toBe(people.filter((someone) => someone.spaceKey === item.key).length);
  }
  expect(people.map((item) => item.userId).sort(), where).toEqual(model.people.filter((someone) => !someone.deleted).map((someone) => someone.userId).sort());
  const byId = new Map(people.map((item) => [item.userId as string, item]));
  for (const someone of model.people.filter((entry) => !entry.deleted)) {
    const item = byId.get(someone.userId)!;
    expect(
      { kind: item.kind, status: item.status, spaceKey: item.spaceKey, inGroup: ((item.groups as string[] | undefined) ?? []).includes(real.groupId) },
      `${someone.name}: ${where}`,
    ).toEqual({ kind: someone.kind, status: someone.status, spaceKey: someone.spaceKey, inGroup: someone.inGroup });
  }
  const group = await requireGroup(db, real.siteId, real.groupId);
  expect({ role: group.role, memberCount: group.memberCount, pending: group.pendingPromotion ?? false }, where).toEqual({
    role: model.groupRole,
    memberCount: model.people.filter((someone) => someone.inGroup && !someone.deleted).length,
    pending: false,
  });
}

/** Every (person, space, client) decision against the model's. */
async function checkAccess(model: Model, real: Real): Promise<void> {
  const at = new Date();
  const checks = model.people.flatMap((someone) => SPACES.map((spaceKey) => ({ someone, spaceKey })));
  await Promise.all(
    checks.map(async ({ someone, spaceKey }) => {
      const facts = await readAccessFacts(db, real.siteId, someone.userId, spaceKey);
      if (someone.deleted) expect(facts.person, `${someone.name}: ${real.history.join(', ')}`).toBeNull();
      for (const client of ['web', 'api-token'] as const) {
        const where = `${someone.name} → ${spaceKey} (${client}) after ${real.history.join(', ')}`;
        const decision = decideAccess({
          person: facts.site ? facts.person : null,
          space: facts.space,
          policy: facts.site?.externalUserPolicy ?? DEFAULT_EXTERNAL_USER_POLICY,
          verifiedDomains: facts.site?.verifiedDomains ?? [],
          client,
          now: at,
        });
        const modelSpace = model.spaces.get(spaceKey);
        // The site has no verified domains, so only guests are external and under the token policy.
        const tokenBlocked = client === 'api-token' && someone.kind === 'guest' && !model.apiTokensAllowed;
        const expected =
          !someone.deleted &&
          !tokenBlocked &&
          someone.status === 'active' &&
          (someone.kind === 'paid' || (modelSpace !== undefined && (someone.spaceKey === spaceKey || modelSpace.anonymousAccess)));
        expect(decision.allowed, where).toBe(expected);
      }
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

type Outcome = string;
const OK = 'ok';

/**
 * One lifecycle command. `act` runs it against DynamoDB Local and brings the model along; a refusal
 * (an AppError, or an invite's refused row) leaves the model as it was. Where the model predicts
 * the outcome, `act` asserts it. Then every invariant is checked.
 */
abstract class Step implements fc.AsyncCommand<Model, Real> {
  private label = '';
  protected abstract describe(model: Readonly<Model>): string;
  protected abstract act(model: Model, real: Real): Promise<Outcome>;
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    this.label = this.describe(model);
    const before = counts(model);
    let outcome: Outcome;
    try {
      outcome = await this.act(model, real);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      outcome = error.code;
    }
    real.history.push(`${this.label}=${outcome}`);
    await checkStored(model, real, before);
    await checkAccess(model, real);
  }
  toString(): string {
    return this.label || this.constructor.name;
  }
}

/** A command about one person, picked modulo the people known when it runs. */
abstract class PersonStep extends Step {
  constructor(private readonly pick: number) {
    super();
  }
  protected target(model: Readonly<Model>): ModelPerson {
    return model.people[this.pick % model.people.length]!;
  }
  protected describe(model: Readonly<Model>): string {
    return `${this.constructor.name.toLowerCase()}(${this.target(model).name})`;
  }
}

class Invite extends Step {
  constructor(
    private readonly kind: 'guest' | 'paid',
    private readonly space: SpaceKey | 'none',
    private readonly inGroup: boolean,
  ) {
    super();
  }
  protected describe(model: Readonly<Model>) {
    return `invite(${this.kind} newcomer${model.people.length}${this.kind === 'guest' ? ` ${this.space}${this.joins(model) ? ' +group' : ''}` : ''})`;
  }
  /** Only guests join, and only a group that is not paid: the invite route makes a paid group's invitee paid. */
  private joins(model: Readonly<Model>) {
    return this.inGroup && this.kind === 'guest' && model.groupRole !== 'user';
  }
  protected async act(model: Model, real: Real) {
    const name = `newcomer${model.people.length}`;
    const entry = { email: `${name}@partner.example`, kind: this.kind, spaceKey: this.space === 'none' ? undefined : this.space, inGroup: this.joins(model), userId: newUserId(), invitationId: newInvitationId() };
    const expected = seatFor(model, this.kind);
    const outcome = await invite(real, entry);
    expect(outcome.invited ? OK : outcome.reason, `${this.toString()} after ${real.history.join(', ')}`).toBe(expected ?? OK);
    if (!outcome.invited) return outcome.reason;
    model.people.push({ name, userId: entry.userId, email: entry.email, invitationId: entry.invitationId, kind: this.kind, status: 'invited', spaceKey: entry.kind === 'guest' ? entry.spaceKey : undefined, inGroup: entry.inGroup });
    if (this.kind === 'paid') model.paidEmails.add(entry.email);
    return OK;
  }
}

/** The address of someone known invited again as a guest: only a removed or deleted person's address may be. */
class Reinvite extends PersonStep {
  constructor(
    pick: number,
    private readonly space: SpaceKey | 'none',
  ) {
    super(pick);
  }
  protected async act(model: Model, real: Real) {
    const target = this.target(model);
    const spaceKey = this.space === 'none' ? undefined : this.space;
    const entry = { email: target.email, kind: 'guest' as const, spaceKey, inGroup: false, userId: newUserId(), invitationId: newInvitationId() };
    const comesBack = target.deleted || target.status === 'removed';
    const formerPaid = model.paidEmails.has(target.email);
    const expected = comesBack ? (formerPaid ? 'paid_user_conversion_forbidden' : seatFor(model, 'guest')) : undefined;
    const outcome = await invite(real, entry);
    const where = `${this.toString()} after ${real.history.join(', ')}`;
    const got = outcome.invited ? OK : outcome.reason;
    if (comesBack) expect(got, where).toBe(expected ?? OK);
    // A member's address is refused; which reason comes first for a paid member is the invite's choice.
    else expect(formerPaid ? ['already_member', 'paid_user_conversion_forbidden'] : ['already_member'], where).toContain(got);
    if (!outcome.invited) return outcome.reason;
    if (target.deleted) {
      // Deleted and erased: the address is free again, for a new person with a new id.
      expect(outcome.userId, where).toBeUndefined();
      model.people.push({ name: `${target.name}-again`, userId: entry.userId, email: target.email, invitationId: entry.invitationId, kind: 'guest', status: 'invited', spaceKey, inGroup: false });
      return OK;
    }
    // A removed person comes back, with their own id
    expect(outcome.userId, where).toBe(target.userId);
    Object.assign(target, { status: 'invited', spaceKey, invitationId: entry.invitationId, kind: 'guest' });
    return OK;
  }
}

/** The invitee accepts through the link; the workflow then activates them. */
class Accept extends PersonStep {
  protected async act(model: Model, real: Real) {
    const target = this.target(model);
    if (target.deleted || !target.invitationId || target.status !== 'invited') return 'nothing to accept';
    await onboard(real.siteId, target.userId, target.invitationId);
    target.status = 'active';
    return OK;
  }
}

class Assign extends PersonStep {
  constructor(
    pick: number,
    private readonly space: SpaceKey,
  ) {
    super(pick);
  }
  protected override describe(model: Readonly<Model>) {
    return `assign(${this.target(model).name} ${this.space})`;
  }
  protected async act(model: Model, real: Real) {
    const target = this.target(model);
    await assignSpace(db, real.siteId, target.userId, this.space, real.adminId, now());
    target.spaceKey = this.space;
    return OK;
  }
}

class Unassign extends PersonStep {
  protected async act(model: Model, real: Real) {
    const target = this.target(model);
    await unassignSpace(db, real.siteId, target.userId, real.adminId, now());
    target.spaceKey = undefined;
    return OK;
  }
}

class Remove extends PersonStep {
  protected async act(model: Model, real: Real) {
    const target = this.target(model);
    // Rule 11: the person stays, removed, without a space or groups
    await removeAppAccess(db, real.siteId, target.userId, real.adminId, now());
    Object.assign(target, { status: 'removed', spaceKey: undefined, inGroup: false });
    return OK;
  }
}

class Promote extends PersonStep {
  protected async act(model: Model, real: Real) {
    const target = this.target(model);
    await promoteGuest(db, real.siteId, target.userId, real.adminId, now());
    Object.assign(target, { kind: 'paid', spaceKey: undefined });
    model.paidEmails.add(target.email);
    return OK;
  }
}

class Deactivate extends PersonStep {
  protected async act(model: Model, real: Real) {
    const target = this.target(model);
    await deactivatePerson(db, real.siteId, target.userId, real.adminId, now());
    target.status = 'deactivated';
    return OK;
  }
}

/** A deactivated person takes a seat of their kind again: refused exactly when the model has none. */
class Reactivate extends PersonStep {
  protected async act(model: Model, real: Real) {
    const target = this.target(model);
    const needsSeat = !target.deleted && target.status === 'deactivated';
    const expected = needsSeat ? seatFor(model, target.kind) : null;
    let refused: string | null = null;
    try {
      const person = await reactivatePerson(db, real.siteId, target.userId, real.adminId, now());
      target.status = person.status;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      refused = error.code;
    }
    if (needsSeat) expect(refused === null ? OK : 'refused', `${this.toString()} after ${real.history.join(', ')} (${refused})`).toBe(expected ? 'refused' : OK);
    if (needsSeat && refused === null) expect(target.status).toBe('active');
    return refused ?? OK;
  }
}

class Delete extends PersonStep {
  protected async act(model: Model, real: Real) {
    const target = this.target(model);
    if (target.deleted) return 'already deleted';
    await deletePerson(db, real.siteId, target.userId, real.adminId, now());
    Object.assign(target, { deleted: true, inGroup: false });
    return OK;
  }
}

/**
 * The group's role: to a paid role every guest member becomes paid (never refused: a promotion
 * keeps paid + guests and only widens the ratio); to guest refused exactly when a member is a
 * current or former paid user.
 */
class GroupRoleChange extends Step {
  constructor(private readonly role: GroupRole) {
    super();
  }
  protected describe() {
    return `groupRole(${this.role})`;
  }
  protected async act(model: Model, real: Real) {
    const members = model.people.filter((someone) => someone.inGroup && !someone.deleted);
    const refused = this.role === 'guest' && model.groupRole !== 'guest' && members.some((someone) => someone.kind === 'paid' || model.paidEmails.has(someone.email));
    let code: string | null = null;
    try {
      await changeGroupRole(db, real.siteId, real.groupId, this.role, real.adminId, now());
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      code = error.code;
    }
    expect(code, `${this.toString()} after ${real.history.join(', ')}`).toBe(refused ? 'paid_user_conversion_forbidden' : null);
    if (code) return code;
    model.groupRole = this.role;
    if (this.role === 'user') {
      for (const someone of members.filter((member) => member.kind === 'guest')) {
        Object.assign(someone, { kind: 'paid', spaceKey: undefined });
        model.paidEmails.add(someone.email);
      }
    }
    return OK;
  }
}

/** The external-user policy's API-token rule, through the review and its token, as an admin changes it (rule 13). */
class PolicyChange extends Step {
  constructor(private readonly apiTokensAllowed: boolean) {
    super();
  }
  protected describe() {
    return `policy(apiTokens ${this.apiTokensAllowed})`;
  }
  protected async act(model: Model, real: Real) {
    const site = (await getSite(db, real.siteId))!;
    const policy = { ...site.externalUserPolicy, apiTokensAllowed: this.apiTokensAllowed };
    const review = await reviewPolicyChange(db, site, real.adminId, { policy, trialUserIds: [], limit: 100 }, new Date());
    await changeExternalUserPolicy(db, site, real.adminId, { policy, trialUserIds: [], reviewToken: review.reviewToken }, new Date());
    model.apiTokensAllowed = this.apiTokensAllowed;
    return OK;
  }
}

class SpaceChange extends Step {
  constructor(
    private readonly change: 'anonymous' | 'delete' | 'create',
    private readonly space: SpaceKey,
    private readonly anonymousAccess: boolean,
  ) {
    super();
  }
  protected describe() {
    return `${this.change}Space(${this.space}${this.change === 'delete' ? '' : ` ${this.anonymousAccess}`})`;
  }
  protected async act(model: Model, real: Real) {
    const { siteId, adminId } = real;
    if (this.change === 'anonymous') {
      await updateSpace(db, siteId, this.space, { anonymousAccess: this.anonymousAccess }, adminId, now());
      model.spaces.get(this.space)!.anonymousAccess = this.anonymousAccess;
    } else if (this.change === 'delete') {
      await deleteSpace(db, siteId, this.space, adminId, now());
      model.spaces.delete(this.space);
      for (const someone of model.people) if (someone.spaceKey === this.space) someone.spaceKey = undefined;
    } else {
      await createSpace(db, { siteId, key: this.space, name: this.space, anonymousAccess: this.anonymousAccess }, adminId, now());
      model.spaces.set(this.space, { anonymousAccess: this.anonymousAccess });
    }
    return OK;
  }
}

/**
 * People: 0 admin, 1 paid user, 2–3 active guests (ENG in the group, none), 4–5 invited guests
 * (MKT in the group, none), then whoever the run invites.
 */
const pick = fc.nat({ max: 11 });
const space = fc.constantFrom(...SPACES);
const spaceOrNone = fc.constantFrom(...SPACES, 'none' as const);
const commandArbs: fc.Arbitrary<Step>[] = [
  fc.tuple(fc.constantFrom<'guest' | 'paid'>('guest', 'guest', 'paid'), spaceOrNone, fc.boolean()).map(([kind, where, inGroup]) => new Invite(kind, where, inGroup)),
  fc.tuple(pick, spaceOrNone).map(([who, where]) => new Reinvite(who, where)),
  pick.map((who) => new Accept(who)),
  fc.tuple(pick, space).map(([who, where]) => new Assign(who, where)),
  pick.map((who) => new Unassign(who)),
  pick.map((who) => new Remove(who)),
  pick.map((who) => new Promote(who)),
  pick.map((who) => new Deactivate(who)),
  pick.map((who) => new Reactivate(who)),
  pick.map((who) => new Delete(who)),
  fc.constantFrom<GroupRole>('guest', 'user', 'none').map((role) => new GroupRoleChange(role)),
  fc.boolean().map((allowed) => new PolicyChange(allowed)),
  fc.tuple(fc.constantFrom('anonymous' as const, 'anonymous' as const, 'delete' as const, 'create' as const), space, fc.boolean()).map(([change, key, open]) => new SpaceChange(change, key, open)),
];

// MODEL_RUNS=1000 is the long run; the default keeps npm test's time in bounds.
const RUNS = Number(process.env.MODEL_RUNS ?? 16);

describe('the lifecycle against its model', () => {
  it('keeps the seat invariants and every access decision the model gives after every command', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commandArbs, { maxCommands: 16, size: 'max' }), async (commands) => {
        await fc.asyncModelRun(setup, commands);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, RUNS * 6_000);
});
