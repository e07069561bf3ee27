import { sfn } from '../../shared/clients/sfn';
import { environment, required } from '../../shared/config';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { idempotencyIn } from '../../shared/http/idempotency';
import { httpRoute } from '../../shared/http/route';
import { inviteRoute } from '../../shared/http/routes/invite';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { toSeats } from '../../shared/http/views';
import { inviteBatch } from '../../shared/usecases/invite';

const db = directoryFromEnvironment();
const stateMachineArn = required('STATE_MACHINE_ARN');

export const handler = httpRoute(
  inviteRoute,
  async ({ body, admin, now, context }) => {
    const { results, site } = await inviteBatch(
      { db, sfn, stateMachineArn, expirySecondsOverride: environment().INVITE_EXPIRY_SECONDS, timeLeftMs: () => context.getRemainingTimeInMillis() },
      { site: admin.site, body, inviter: { userId: admin.userId, name: admin.displayName ?? 'An administrator' } },
      now,
    );
    const { paid, guests, guestLimit, userLimit } = toSeats(site);
    return { body: { results, seats: { paid, guests, guestLimit, userLimit } } };
  },
  { siteAdmin: siteAdminsIn(db), idempotency: idempotencyIn(db) },
);
