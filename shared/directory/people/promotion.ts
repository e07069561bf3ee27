import { canPromote, holdsSeat, mustChange } from '../../domain/lifecycle';
import { promoteSeat } from '../../domain/seats';
import type { Directory } from '../directory';
import { and, type Condition } from '../expressions';
import { auditWrite } from '../entities/audit-event';
import { markPaidWrite } from '../entities/former-paid';
import { personIndexKeys, personIs, personKey, personUpdate, withVerificationIndex, type PersonItem } from '../entities/person';
import { seatWrite } from '../entities/site';
import { spaceGuestCountWrite } from '../entities/space';
import { commitWritesIfUnchanged, RETRY } from '../transact';
import { updateWrite, type Write } from '../writes';
import { loadPerson, personRetries, type Loaded } from './load';

type PersonUpdate = ReturnType<typeof personUpdate>;

/** More for the person's own write of a promotion (a group join promotes and joins at once). */
export interface PersonExtension {
  readonly update?: PersonUpdate | undefined;
  readonly condition?: Condition | undefined;
}

export function promotedView(person: PersonItem): PersonItem {
  const promoted: PersonItem = { ...person, kind: 'paid', roles: { ...person.roles, wiki: 'user' } };
  delete promoted.spaceKey;
  delete promoted.spaceTaskToken;
  return promoted;
}

/**
 * The writes that turn one guest into a paid user (rule 10): the guest seat becomes a paid seat
 * (paid + guests unchanged, the guest allowance grows by the ratio), the wiki role becomes User,
 * the space goes (paid users open every space) and the address is remembered as paid.
 * Group promotion uses the same writes, so both paths promote identically.
 */
export function promotionWrites(loaded: Loaded, actor: string, now: string, reason: string, extension: PersonExtension = {}): Write[] {
  const { person, site } = loaded;
  const promoted = promotedView(person);
  // The kind and status partitions move to paid (the status as read, which the write is guarded on); the space index is for guests.
  const keys = personIndexKeys(promoted);
  let change = personUpdate()
    .set('kind', 'paid')
    .set('roles.wiki', 'user')
    .set('gsi1pk', keys.gsi1pk)
    .remove('spaceKey', 'spaceTaskToken', 'gsi3pk', 'gsi3sk');
  if (keys.gsi2pk) change = change.set('gsi2pk', keys.gsi2pk);
  change = withVerificationIndex(change, promoted);
  if (extension.update) change = change.with(extension.update);
  const writes: Write[] = [
    updateWrite(
      personKey(site.siteId, person.userId),
      change,
      and(
        personIs.eq('status', person.status),
        personIs.eq('kind', 'guest'),
        // Guarded on the space-assignment token as read too: the workflow may park one after our
        // read, and the promotion removes it, so an unguarded write could lose a waiting task.
        person.spaceTaskToken ? personIs.eq('spaceTaskToken', person.spaceTaskToken) : personIs.attributeNotExists('spaceTaskToken'),
        extension.condition,
      ),
    ),
    markPaidWrite(site.siteId, person.email, now),
  ];
  if (holdsSeat(person.status)) writes.push(seatWrite(site.siteId, promoteSeat(site.seatRatio), site.seatRatio, 'none'));
  if (person.spaceKey) writes.push(spaceGuestCountWrite(site.siteId, person.spaceKey, -1));
  writes.push(
    auditWrite({
      siteId: site.siteId,
      actor,
      action: 'guest.promoted',
      target: person.userId,
      at: now,
      details: { reason, before: { kind: 'guest', spaceKey: person.spaceKey ?? null }, after: { kind: 'paid', roles: promoted.roles } },
    }),
  );
  return writes;
}

export async function promoteGuest(db: Directory, siteId: string, userId: string, actor: string, now: string): Promise<{ person: PersonItem; spaceTaskToken?: string }> {
  return personRetries(async () => {
    const loaded = await loadPerson(db, siteId, userId);
    mustChange(canPromote(loaded.person));
    if (!(await commitWritesIfUnchanged(db, promotionWrites(loaded, actor, now, 'promoted')))) return RETRY;
    return {
      person: promotedView(loaded.person),
      ...(loaded.person.spaceTaskToken ? { spaceTaskToken: loaded.person.spaceTaskToken } : {}),
    };
  });
}
