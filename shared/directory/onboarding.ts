/**
 * Compatibility: the onboarding steps live in `onboarding/`; these names stay for their callers.
 */
export { activatePerson } from './onboarding/activation';
export { claimInvitationSend, claimWelcomeSend, recordInvitationSent, recordWelcomeSent, releaseInvitationSend, SEND_LEASE_SECONDS, type SendClaim } from './onboarding/email-lease';
export { acceptInvitation, openInvitationLink, type OpenInvitation } from './onboarding/links';
export { assignSpace } from './onboarding/space-assignment';
export { storeAcceptTaskToken, storeSpaceTaskToken, type TokenStore } from './onboarding/task-tokens';
