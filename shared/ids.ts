/** Identifiers are made here, outside the pure domain: generating them reads the clock and randomness. */
import { monotonicFactory } from 'ulid';

// Monotonic so ids made in one millisecond still sort in creation order (lists are newest first).
const nextUlid = monotonicFactory();

export const newUserId = () => `usr_${nextUlid()}`;
export const newInvitationId = () => `inv_${nextUlid()}`;
export const newGroupId = () => `grp_${nextUlid()}`;
export const newEventId = () => nextUlid();
export const newReviewId = () => `rev_${nextUlid()}`;
/** Ends the name of an execution a resend starts: eight characters of the ULID's random part. */
export const newExecutionSuffix = () => nextUlid().slice(-8).toLowerCase();
