import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAccessFacts } from '../../shared/directory/access';
import { createSpace, deleteSpace, updateSpace } from '../../shared/directory/spaces';
import type { Directory } from '../../shared/directory/directory';
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
import { newInvitationId, newUserId } from '../../shared/ids';
import { changeExternalUserPolicy, reviewPolicyChange } from '../../shared/usecases/external-policy';
import type { PersonStatus } from '../../shared/domain/people';
import { freshDirectory, scanAll } from '../support/directory';

/**
 * Random sequences of lifecycle and catalogue operations on a small site, against DynamoDB Local.
 * After every step, every access decision agrees with a model of what the operations that
 * succeeded did: a guest only ever opens their assigned space or an anonymous one, nobody who is
 * not active opens anything (a removed person included). Removing keeps the person, and inviting a
 * removed person's address again brings back that same person. After each sequence, the seat and
 * space counters equal what is stored.
 */
let db: Directory;
beforeAll(async () => {
  db = await freshDirectory('lifecycle-prop');
});

const SPACES = ['ENG', 'MKT', 'PUB'] as const;
type SpaceKey = (typeof SPACES)[number];
const SEATED = new Set<PersonStatus>(['invited', 'active', 'suspended']);

interface ModelPerson {
  /** Deleted: gone from the site (its data erased after the grace); asked about, not a member. */
  deleted?: boolean;
  readonly name: string;
  readonly userId: string;
  readonly email: string;
  invitationId: string | undefined;
  kind: 'guest' | 'paid';
  status: PersonStatus;
  spaceKey: string | undefined;
}

interface Model {
  readonly siteId: string;
  readonly adminId: string;
  readonly people: ModelPerson[];
  readonly spaces: Map<string, { anonymousAccess: boolean }>;
  /** The site's external-user policy as reviewed and applied: API tokens of external users allowed. */
  apiTokensAllowed: boolean;
}

type Op =
  | { readonly type: 'assign'; readonly person: number; readonly space: SpaceKey }
  | { readonly type: 'unassign'; readonly person: number }
  | { readonly type: 'delete'; readonly person: number }
  | { readonly type: 'tokens'; readonly value: boolean }
  | { readonly type: 'anonymous'; readonly space: SpaceKey; readonly value: boolean }
  | { readonly type: 'deleteSpace'; readonly space: SpaceKey }
  | { readonly type: 'createSpace'; readonly space: SpaceKey; readonly value: boolean }
  | { readonly type: 'promote'; readonly person: number }
  | { readonly type: 'deactivate'; readonly person: number }
  | { readonly type: 'reactivate'; readonly person: number }
  | { readonly type: 'remove'; readonly person: number }
  | { readonly type: 'activate'; readonly person: number }
  | { readonly type: 'invite'; readonly space: SpaceKey | 'none' }
  | { readonly type: 'reinvite'; readonly person: number; readonly space: SpaceKey | 'none' };

/**
 * People: 0 admin, 1 paid user, 2–3 active guests (ENG, none), 4–5 invited guests (MKT, none), then
 * whoever the sequence invites. An operation picks its person modulo the people known so far.
 */
const person = fc.nat({ max: 11 });
const space = fc.constantFrom(...SPACES);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ type: fc.constant('assign' as const), person, space }), weight: 4 },
  { arbitrary: fc.record({ type: fc.constant('unassign' as const), person }), weight: 2 },
  { arbitrary: fc.record({ type: fc.constant('anonymous' as const), space, value: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ type: fc.constant('deleteSpace' as const), space }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant('createSpace' as const), space, value: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant('promote' as const), person }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant('deactivate' as const), person }), weight: 2 },
  { arbitrary: fc.record({ type: fc.constant('reactivate' as const), person }), weight: 2 },
  { arbitrary: fc.record({ type: fc.constant('remove' as const), person }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant('delete' as const), person }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant('tokens' as const), value: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant('activate' as const), person }), weight: 2 },
  { arbitrary: fc.record({ type: fc.constant('invite' as const), space: fc.constantFrom(...SPACES, 'none' as const) }), weight: 2 },
  { arbitrary: fc.record({ type: fc.constant('reinvite' as const), person, space: fc.constantFrom(...SPACES, 'none' as const) }), weight: 2 },
);

const now = () => new Date().toISOString();
let siteCounter = 0;

async function onboard(siteId: string, userId: string, invitationId: string): Promise<void> {
  const at = new Date();
  const claim = await claimInvitationSend(db, siteId, invitationId, at);
  if (claim.kind !== 'claimed') throw new AppError('conflict', `The invitation cannot be sent (${claim.kind}).`);
  await acceptInvitation(db, await openInvitationLink(db, claim.token, at), undefined, at);
  const person = await activatePerson(db, siteId, userId, invitationId, now());
  if (person?.status !== 'active') throw new AppError('conflict', 'Not activated.');
}

/**
 * Two paid users (the admin and one more) and ratio 2 make four guest seats, all taken; the user
 * limit leaves one place. So reactivations and promotions meet both limits within a few steps.
 */
async function newModel(): Promise<Model> {
  const siteId = `prop-${++siteCounter}`;
  const { site, admins } = await createSite(
    db,
    { siteId, name: siteId, orgId: `org-${siteId}`, plan: 'standard', userLimit: 7, guestRatio: 2, inviteExpiryDays: 7, admins: [{ email: `admin@${siteId}.example`, role: 'site-admin' }] },
    'operator',
    now(),
  );
  const adminId = admins[0]!.userId;
  const model: Model = {
    siteId,
    adminId,
    people: [{ name: 'admin', userId: adminId, email: `admin@${siteId}.example`, invitationId: undefined, kind: 'paid', status: 'active', spaceKey: undefined }],
    apiTokensAllowed: true,
    spaces: new Map([
      ['ENG', { anonymousAccess: false }],
      ['MKT', { anonymousAccess: false }],
      ['PUB', { anonymousAccess: true }],
    ]),
  };
  for (const [key, { anonymousAccess }] of model.spaces) await createSpace(db, { siteId, key, name: key, anonymousAccess }, adminId, now());
  const plan: { name: string; kind: 'guest' | 'paid'; spaceKey?: string; active: boolean }[] = [
    { name: 'paid', kind: 'paid', active: true },
    { name: 'guest-eng', kind: 'guest', spaceKey: 'ENG', active: true },
    { name: 'guest-none', kind: 'guest', active: true },
    { name: 'invited-mkt', kind: 'guest', spaceKey: 'MKT', active: false },
    { name: 'invited-none', kind: 'guest', active: false },
  ];
  const invitees = plan.map((entry) => ({ ...entry, userId: newUserId(), invitationId: newInvitationId() }));
  // The paid user first: their seat makes the room for the last two guests
  const join = async ({ userId, invitationId, ...entry }: (typeof invitees)[number]) => {
    const at = new Date();
    const outcome = await inviteOne(db, {
      site,
      email: `${entry.name}@${siteId}.example`,
      kind: entry.kind,
      roles: { wiki: entry.kind === 'guest' ? 'guest' : 'user' },
      groups: [],
      spaceKey: entry.spaceKey,
      invitedBy: adminId,
      inviterName: 'Admin',
      userId,
      invitationId,
      now: at.toISOString(),
      expiresAt: new Date(at.getTime() + 86_400_000).toISOString(),
    });
    expect(outcome).toEqual({ invited: true });
    if (entry.active) await onboard(siteId, userId, invitationId);
  };
  await join(invitees[0]!);
  await Promise.all(invitees.slice(1).map(join));
  for (const { name, userId, invitationId, kind, active, spaceKey } of invitees) {
    model.people.push({ name, userId, email: `${name}@${siteId}.example`, invitationId, kind, status: active ? 'active' : 'invited', spaceKey });
  }
  expect(await getSite(db, siteId)).toMatchObject({ paid: 2, guests: 4, ratioRoom: 0, userRoom: 1 });
  return model;
}

/** Runs one operation; on success applies its effect to the model. Refusals (AppError) change nothing. */
async function apply(model: Model, op: Op): Promise<string> {
  const { siteId, adminId } = model;
  const target = 'person' in op ? model.people[op.person % model.people.length]! : undefined;
  const run = async (): Promise<void> => {
    switch (op.type) {
      case 'assign':
        await assignSpace(db, siteId, target!.userId, op.space, adminId, now());
        target!.spaceKey = op.space;
        return;
      case 'unassign':
        await unassignSpace(db, siteId, target!.userId, adminId, now());
        target!.spaceKey = undefined;
        return;
      case 'anonymous':
        await updateSpace(db, siteId, op.space, { anonymousAccess: op.value }, adminId, now());
        model.spaces.get(op.space)!.anonymousAccess = op.value;
        return;
      case 'deleteSpace':
        await deleteSpace(db, siteId, op.space, adminId, now());
        model.spaces.delete(op.space);
        for (const someone of model.people) if (someone.spaceKey === op.space) someone.spaceKey = undefined;
        return;
      case 'createSpace':
        await createSpace(db, { siteId, key: op.space, name: op.space, anonymousAccess: op.value }, adminId, now());
        model.spaces.set(op.space, { anonymousAccess: op.value });
        return;
      case 'promote':
        await promoteGuest(db, siteId, target!.userId, adminId, now());
        target!.kind = 'paid';
        target!.spaceKey = undefined;
        return;
      case 'deactivate':
        await deactivatePerson(db, siteId, target!.userId, adminId, now());
        target!.status = 'deactivated';
        return;
      case 'reactivate': {
        const person = await reactivatePerson(db, siteId, target!.userId, adminId, now());
        target!.status = person.status;
        return;
      }
      case 'remove':
        // Rule 11: the person stays, removed, without a space
        await removeAppAccess(db, siteId, target!.userId, adminId, now());
        target!.status = 'removed';
        target!.spaceKey = undefined;
        return;
      case 'reinvite': {
        const invitationId = newInvitationId();
        const freshId = newUserId();
        const at = new Date();
        const spaceKey = op.space === 'none' ? undefined : op.space;
        const outcome = await inviteOne(db, {
          site: (await getSite(db, siteId))!,
          email: target!.email,
          kind: 'guest',
          roles: { wiki: 'guest' },
          groups: [],
          spaceKey,
          invitedBy: adminId,
          inviterName: 'Admin',
          userId: freshId,
          invitationId,
          now: at.toISOString(),
          expiresAt: new Date(at.getTime() + 86_400_000).toISOString(),
        });
        if (!outcome.invited) throw new AppError('conflict', outcome.reason);
        if (target!.deleted) {
          // Deleted and erased: the address is free again, for a new person with a new id.
          expect(outcome.userId).toBeUndefined();
          model.people.push({ name: `${target!.name}-again`, userId: freshId, email: target!.email, invitationId, kind: 'guest', status: 'invited', spaceKey });
          return;
        }
        // Only a removed person comes back, and with their own id
        expect(target!.status).toBe('removed');
        expect(outcome.userId).toBe(target!.userId);
        Object.assign(target!, { status: 'invited', spaceKey, invitationId, kind: 'guest' });
        return;
      }
      case 'invite': {
        const userId = newUserId();
        const invitationId = newInvitationId();
        const at = new Date();
        const name = `newcomer${model.people.length}`;
        const spaceKey = op.space === 'none' ? undefined : op.space;
        const outcome = await inviteOne(db, {
          site: (await getSite(db, siteId))!,
          email: `${name}@partner.example`,
          kind: 'guest',
          roles: { wiki: 'guest' },
          groups: [],
          spaceKey,
          invitedBy: adminId,
          inviterName: 'Admin',
          userId,
          invitationId,
          now: at.toISOString(),
          expiresAt: new Date(at.getTime() + 86_400_000).toISOString(),
        });
        if (!outcome.invited) throw new AppError('conflict', outcome.reason);
        model.people.push({ name, userId, email: `${name}@partner.example`, invitationId, kind: 'guest', status: 'invited', spaceKey });
        return;
      }
      case 'delete':
        if (target!.deleted) throw new AppError('not_found', 'Already deleted.');
        await deletePerson(db, siteId, target!.userId, adminId, now());
        target!.deleted = true;
        return;
      case 'tokens': {
        // Through the review and its token, as an admin changes it (rule 13).
        const site = (await getSite(db, siteId))!;
        const policy = { ...site.externalUserPolicy, apiTokensAllowed: op.value };
        const review = await reviewPolicyChange(db, site, adminId, { policy, trialUserIds: [], limit: 100 }, new Date());
        await changeExternalUserPolicy(db, site, adminId, { policy, trialUserIds: [], reviewToken: review.reviewToken }, new Date());
        model.apiTokensAllowed = op.value;
        return;
      }
      case 'activate':
        if (target!.deleted || !target!.invitationId || target!.status !== 'invited') throw new AppError('conflict', 'Nothing to activate.');
        await onboard(siteId, target!.userId, target!.invitationId);
        target!.status = 'active';
        return;
    }
  };
  try {
    await run();
    return 'ok';
  } catch (error) {
    if (error instanceof AppError) return error.code === 'conflict' && (op.type === 'invite' || op.type === 'reinvite') ? error.message : error.code;
    throw error;
  }
}

/** Every (person, space) decision against the model, and the stored people against the model. */
async function checkAccess(model: Model, history: string[]): Promise<void> {
  const at = new Date();
  const checks = model.people.flatMap((someone) => SPACES.flatMap((spaceKey) => (['web', 'api-token'] as const).map((client) => ({ someone, spaceKey, client }))));
  await Promise.all(
    checks.map(async ({ someone, spaceKey, client }) => {
      const facts = await readAccessFacts(db, model.siteId, someone.userId, spaceKey);
      const where = `${someone.name} → ${spaceKey} (${client}) after ${history.join(', ')}`;
      // The stored person is what the successful operations made of them
      if (someone.deleted) expect(facts.person, where).toBeNull();
      else expect({ kind: facts.person?.kind, status: facts.person?.status, spaceKey: facts.person?.spaceKey }, where).toEqual({ kind: someone.kind, status: someone.status, spaceKey: someone.spaceKey });
      const decision = decideAccess({
        person: facts.site ? facts.person : null,
        space: facts.space,
        policy: facts.site?.externalUserPolicy ?? DEFAULT_EXTERNAL_USER_POLICY,
        verifiedDomains: facts.site?.verifiedDomains ?? [],
        client,
        now: at,
      });
      if (decision.allowed) {
        // The safety rules, whatever the model says
        expect(facts.person?.status, where).toBe('active');
        if (facts.person?.kind === 'guest') {
          expect(facts.space, where).not.toBeNull();
          const own = someone.spaceKey !== undefined && someone.spaceKey === spaceKey;
          expect(own || model.spaces.get(spaceKey)?.anonymousAccess === true, where).toBe(true);
        }
      }
      const modelSpace = model.spaces.get(spaceKey);
      // The site has no verified domains, so only guests are external and under the token policy.
      const tokenBlocked = client === 'api-token' && someone.kind === 'guest' && !model.apiTokensAllowed;
      const expected =
        !someone.deleted &&
        !tokenBlocked &&
        someone.status === 'active' &&
        (someone.kind === 'paid' || (modelSpace !== undefined && (someone.spaceKey === spaceKey || modelSpace.anonymousAccess)));
      expect(decision.allowed, where).toBe(expected);
    }),
  );
}

/** The site's counters equal the people stored, and each space's guest count its guests. */
async function checkCounters(model: Model, history: string[]): Promise<void> {
  const items = (await scanAll(db)).filter((item) => item.pk === `SITE#${model.siteId}`);
  const people = items.filter((item) => item.type === 'person');
  const seated = people.filter((item) => SEATED.has(item.status as PersonStatus));
  const paid = seated.filter((item) => item.kind === 'paid').length;
  const guests = seated.filter((item) => item.kind === 'guest').length;
  const site = (await getSite(db, model.siteId))!;
  const where = history.join(', ');
  expect({ paid: site.paid, guests: site.guests }, where).toEqual({ paid, guests });
  expect({ userRoom: site.userRoom, ratioRoom: site.ratioRoom }, where).toEqual({ userRoom: site.userLimit - paid - guests, ratioRoom: site.seatRatio * paid - guests });
  expect(paid + guests, where).toBeLessThanOrEqual(site.userLimit);
  for (const item of items.filter((entry) => entry.type === 'space')) {
    expect(item.guestCount, `${String(item.key)}: ${where}`).toBe(people.filter((someone) => someone.spaceKey === item.key).length);
  }
  expect(people.map((item) => item.userId).sort(), where).toEqual(model.people.filter((someone) => !someone.deleted).map((someone) => someone.userId).sort());
}

describe('lifecycle operations in any order', () => {
  it('never let anyone into a space the rules do not give them, and keep the counters true', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 6, maxLength: 12 }), async (ops) => {
        const model = await newModel();
        const history: string[] = [];
        await checkAccess(model, history);
        for (const op of ops) {
          const label = `${op.type}(${'person' in op ? model.people[op.person % model.people.length]!.name : ''}${'space' in op ? ` ${op.space}` : ''}${'value' in op ? ` ${op.value}` : ''})`;
          history.push(`${label}=${await apply(model, op)}`);
          await checkAccess(model, history);
        }
        await checkCounters(model, history);
      }),
      // MODEL_RUNS=1000 for the long run; the default keeps npm test's time in bounds.
      { numRuns: Number(process.env.MODEL_RUNS ?? 16), endOnFailure: true },
    );
  }, Number(process.env.MODEL_RUNS ?? 16) * 6_000);
});
