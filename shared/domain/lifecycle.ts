import { AppError, conflict } from './errors';
import { SEAT_HOLDING_STATUSES } from './people';
import type { Kind, PersonStatus } from './vocabulary';

/**
 * The guest lifecycle's refusals (rules 8, 10, 11, 14), decided from the person as read. Each
 * answers a refusal (an AppError, not thrown), `unchanged` (nothing to write) or `change`; the
 * directory writes the change conditioned on the state it was decided from.
 */
export interface LifecyclePerson {
  readonly userId: string;
  readonly kind: Kind;
  readonly status: PersonStatus;
  readonly spaceKey?: string | undefined;
}

export type Decision = 'unchanged' | 'change' | AppError;

export const holdsSeat = (status: PersonStatus) => SEAT_HOLDING_STATUSES.includes(status);

export function selfActionRefusal(actor: string, userId: string, action: 'deactivate' | 'delete'): AppError | null {
  return actor === userId ? conflict(`You cannot ${action} yourself.`) : null;
}

/**
 * A removed person (rule 11) has no access, seat, space or groups. Inviting the address again brings
 * them back; deleting erases them. Everything else is refused, as there is nothing to act on.
 */
export const removedRefusal = (person: LifecyclePerson): AppError | null =>
  person.status === 'removed' ? conflict('This person’s app access was removed; invite them again, or delete them.', { userIds: [person.userId] }) : null;

/** Rule 14 (deactivate): reversible; a person still onboarding is removed or deleted instead. */
export function canDeactivate(person: LifecyclePerson): Decision {
  if (person.status === 'deactivated') return 'unchanged';
  if (person.status === 'invited') return conflict('This person has not finished onboarding; remove their access or delete them instead.');
  return removedRefusal(person) ?? 'change';
}

/** Reactivation takes a seat again; whether one is free is the site counters' decision. A removed person is invited again instead. */
export const canReactivate = (person: LifecyclePerson): Decision => removedRefusal(person) ?? (person.status === 'deactivated' ? 'change' : 'unchanged');

/** Rule 11 is for guests; paid users are deactivated or deleted. Removing again changes nothing. */
export function canRemoveAppAccess(person: LifecyclePerson): Decision {
  if (person.kind !== 'guest') return conflict('Only a guest’s app access is removed this way; deactivate or delete a paid user instead.');
  return person.status === 'removed' ? 'unchanged' : 'change';
}

export const canPromote = (person: LifecyclePerson): Decision =>
  person.kind === 'guest' ? (removedRefusal(person) ?? 'change') : conflict('This person is already a paid user.');

/** A removed guest has no space left to unassign. */
export function canUnassignSpace(person: LifecyclePerson): Decision {
  if (person.kind !== 'guest') return conflict('Paid users have no assigned space.');
  return person.spaceKey ? 'change' : 'unchanged';
}

/** Rule 8: a guest has at most one space; assigning replaces the earlier one. */
export function canAssignSpace(person: LifecyclePerson, spaceKey: string): Decision {
  if (person.kind !== 'guest') return conflict('Only guests are assigned a space; paid users can open every space.');
  if (person.status === 'deactivated') return conflict('The guest is deactivated; reactivate them before assigning a space.');
  const removed = removedRefusal(person);
  if (removed) return removed;
  return person.spaceKey === spaceKey ? 'unchanged' : 'change';
}

/** Throws a refusal; otherwise tells whether anything is to be written. */
export function mustChange(decision: Decision): boolean {
  if (decision instanceof AppError) throw decision;
  return decision === 'change';
}
