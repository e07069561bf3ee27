import { AppError } from '../../domain/errors';
import { canDeactivate, canReactivate, mustChange, selfActionRefusal } from '../../domain/lifecycle';
import { refusedSeatReason, releaseSeat, seatRefusalMessage, takeSeat } from '../../domain/seats';
import type { Directory } from '../directory';
import { auditWrite } from '../entities/audit-event';
import { personAsRead, personIndexKeys, personKey, personUpdate, withVerificationIndex, type PersonItem } from '../entities/person';
import { seatWrite } from '../entities/site';
import { commitWrites, commitWritesIfUnchanged, RETRY, TransactionRefused } from '../transact';
import { updateWrite, type Write } from '../writes';
import { loadPerson, personRetries } from './load';

/**
 * The guest lifecycle after the invitation (rules 8, 10, 11, 14). Every operation reads the person
 * and the site, then writes one transaction conditioned on what it read (status, kind, space, the
 * site's ratio), with its audit event inside. A concurrent change makes the condition fail and the
 * operation re-reads and decides again, so no rule is ever checked on stale data.
 */

/** The status change, guarded on the state it was decided from (the kind too: the status index key is per kind); only active people carry the re-verification key. */
function statusWrite(person: PersonItem, next: PersonItem): Write {
  const { gsi2pk } = personIndexKeys(next);
  let change = personUpdate().set('status', next.status);
  if (gsi2pk) change = change.set('gsi2pk', gsi2pk);
  change = withVerificationIndex(change, next);
  return updateWrite(personKey(person.siteId, person.userId), change, personAsRead(person));
}

/** Rule 14 (deactivate): reversible, data kept, seat freed. */
export async function deactivatePerson(db: Directory, siteId: string, userId: string, actor: string, now: string): Promise<PersonItem> {
  const refusal = selfActionRefusal(actor, userId, 'deactivate');
  if (refusal) throw refusal;
  return personRetries(async () => {
    const { person, site } = await loadPerson(db, siteId, userId);
    if (!mustChange(canDeactivate(person))) return person;
    const next: PersonItem = { ...person, status: 'deactivated' };
    const committed = await commitWritesIfUnchanged(db, [
      statusWrite(person, next),
      seatWrite(siteId, releaseSeat(person.kind, site.seatRatio), site.seatRatio, 'none'),
      auditWrite({ siteId, actor, action: 'person.deactivated', target: userId, at: now, details: { before: { status: person.status }, after: { status: 'deactivated' } } }),
    ]);
    return committed ? next : RETRY;
  });
}

/** Reactivation takes a seat again under the same rules as an invite, so it can be refused. */
export async function reactivatePerson(db: Directory, siteId: string, userId: string, actor: string, now: string): Promise<PersonItem> {
  return personRetries(async () => {
    const { person, site } = await loadPerson(db, siteId, userId);
    if (!mustChange(canReactivate(person))) return person;
    const next: PersonItem = { ...person, status: 'active' };
    try {
      await commitWrites(db, [
        seatWrite(siteId, takeSeat(person.kind, site.seatRatio), site.seatRatio, person.kind === 'guest' ? 'guest' : 'user'),
        statusWrite(person, next),
        auditWrite({ siteId, actor, action: 'person.reactivated', target: userId, at: now, details: { before: { status: 'deactivated' }, after: { status: 'active' } } }),
      ]);
      return next;
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const image = error.oldItems.get(0);
      if (error.failedIndexes.includes(0) && image) {
        const reason = refusedSeatReason(person.kind, { seatRatio: Number(image.seatRatio), ratioRoom: Number(image.ratioRoom), userRoom: Number(image.userRoom) }, site.seatRatio);
        if (reason && reason !== 'site_changed') throw new AppError(reason, seatRefusalMessage(reason));
      }
      return RETRY;
    }
  });
}
