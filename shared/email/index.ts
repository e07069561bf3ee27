export {
  renderInvitationEmail,
  renderWelcomeEmail,
  renderReverificationEmail,
  escapeHtml,
  sanitizeSubject,
  safeLinkUrl,
  formatUtcDate,
  MAX_MESSAGE_LENGTH,
  MAX_SUBJECT_LENGTH,
} from './templates';
export type {
  RenderedEmail,
  AccountKind,
  InvitationEmailInput,
  WelcomeEmailInput,
  ReverificationEmailInput,
} from './templates';
export { sendEmail, EmailRejectedError, EmailTransientError } from './send';
export type { OutgoingEmail } from './send';
