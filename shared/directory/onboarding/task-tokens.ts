import type { Directory } from '../directory';
import { and, itemExists } from '../expressions';
import { drivenBy, InvitationItem, invitationIs, invitationKey, invitationUpdate } from '../entities/invitation';
import { PersonItem, personIs, personKey, personUpdate } from '../entities/person';
import { readItem } from '../reads';
import { writeOneIfAllowed } from '../single';
import { updateWrite } from '../writes';

// Callback tokens: stored on the items; whoever comes second (token or action) completes the task.

export type TokenStore = 'stored' | 'already-done' | 'gone';

/**
 * Stores AwaitAcceptance's token, unless the guest already accepted (then the caller completes).
 * Only the execution driving the invitation stores one (`execution`: its name), so an execution a
 * resend replaced can never take the acceptance from the one that sent the current link.
 */
export async function storeAcceptTaskToken(db: Directory, siteId: string, invitationId: string, taskToken: string, execution: string = invitationId): Promise<TokenStore> {
  const key = invitationKey(siteId, invitationId);
  const condition = and(invitationIs.eq('status', 'pending'), drivenBy(invitationId, execution));
  if (await writeOneIfAllowed(db, updateWrite(key, invitationUpdate().set('acceptTaskToken', taskToken), condition))) return 'stored';
  const invitation = await readItem(db, key, InvitationItem);
  return invitation?.status === 'accepted' && (invitation.execution ?? invitationId) === execution ? 'already-done' : 'gone';
}

/** Stores AwaitSpaceAssignment's token, unless a space is already assigned. */
export async function storeSpaceTaskToken(db: Directory, siteId: string, userId: string, taskToken: string): Promise<TokenStore> {
  const key = personKey(siteId, userId);
  const stored = await writeOneIfAllowed(
    db,
    updateWrite(
      key,
      personUpdate().set('spaceTaskToken', taskToken),
      // A guest promoted meanwhile needs no space any more: the wait is over for them too.
      and(itemExists, personIs.attributeNotExists('spaceKey'), personIs.eq('status', 'invited'), personIs.eq('kind', 'guest')),
    ),
  );
  if (stored) return 'stored';
  const person = await readItem(db, key, PersonItem);
  return person && (person.spaceKey || person.kind === 'paid') ? 'already-done' : 'gone';
}
