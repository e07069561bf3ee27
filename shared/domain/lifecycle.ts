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

/** Rule 14 (deactivate): reversible; a person still onboarding is removed or deleted instead. */
export function canDeactivate(person: LifecyclePerson): Decision {
  if (person.status === 'deactivated') return 'unchanged';
  if (person.status === 'invited') return conflict('This person has not finished onboarding; remove their access or delete them instead.');
  return 'change';
}

/** Reactivation takes a seat again; whether one is free is the site counters' decision. */
export const canReactivate = (person: LifecyclePerson): Decision => (person.status === 'deactivated' ? 'change' : 'unchanged');

/** Rule 11 is for guests; paid users are deactivated or deleted. */
export const canRemoveAppAccess = (person: LifecyclePerson): Decision =>
  person.kind === 'guest' ? 'change' : conflict('Only a guest’s app access is removed this way; deactivate or delete a paid user instead.');

export const canPromote = (person: LifecyclePerson): Decision => (person.kind === 'guest' ? 'change' : conflict('This person is already a paid user.'));

export function canUnassignSpace(person: LifecyclePerson): Decision {
  if (person.kind !== 'guest') return conflict('Paid users have no assigned space.');
  return person.spaceKey ? 'change' : 'unchanged';
}

/** Rule 8: a guest has at most one space; assigning replaces the earlier one. */
export function canAssignSpace(person: LifecyclePerson, spaceKey: string): Decision {
  if (person.kind !== 'guest') return conflict('Only guests are assigned a space; paid users can open every space.');
  if (person.status === 'deactivated') return conflict('The guest is deactivated; reactivate them before assigning a space.');
  return person.spaceKey === spaceKey ? 'unchanged' : 'change';
}

/** Throws a refusal; otherwise tells whether anything is to be written. */
export function mustChange(decision: Decision): boolean {
  if (decision instanceof AppError) throw decision;
  return decision === 'change';
}
