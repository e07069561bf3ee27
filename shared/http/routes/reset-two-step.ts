import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { Person, UserParams } from '../schemas';

export const resetTwoStepRoute = defineRoute({
  name: 'reset-two-step',
  method: 'POST',
  path: '/sites/{siteId}/users/{userId}/two-step/reset',
  auth: 'admin',
  summary: 'Reset two-step verification (lost authenticator, or lift a lock)',
  params: UserParams,
  responses: {
    200: { description: 'The person, not enrolled: they enrol afresh the next time they verify. Audited as `person.two_step_reset`.', schema: Person },
    ...errors([...ADMIN_ERRORS, 404]),
  },
  table: 'write',
  // Only removes the sealed secret: no key needed (see `two-step-secrets`).
});
