import { sfn } from '../../shared/clients/sfn';
import { environment, required } from '../../shared/config';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { withIdempotency } from '../../shared/directory/idempotency';
import { bodyDigest } from '../../shared/domain/tokens';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { inviteRoute } from '../../shared/http/routes/invite';
import { toSeats } from '../../shared/http/views';
import { inviteBatch } from '../../shared/usecases/invite';

const db = directoryFromEnvironment();
const stateMachineArn = required('STATE_MACHINE_ARN');

export const handler = httpRoute(inviteRoute, async ({ params, body, headers, admin, now, context }) => {
  const invite = async () => {
    const { results, site } = await inviteBatch(
      { db, sfn, stateMachineArn, expirySecondsOverride: environment().INVITE_EXPIRY_SECONDS },
      { site: admin.site, body, inviter: { userId: admin.userId, name: admin.displayName ?? 'An administrator' } },
      now,
    );
    const { paid, guests, guestLimit, userLimit } = toSeats(site);
    return { status: 200, body: { results, seats: { paid, guests, guestLimit, userLimit } } };
  };
  const key = headers['Idempotency-Key'];
  if (key === undefined) return invite();
  // This invocation is dead when its time runs out, so its claim on the key must end then too.
  const claimForMs = context.getRemainingTimeInMillis();
  return withIdempotency(db, { siteId: params.siteId, callerId: admin.userId, key, bodyDigest: bodyDigest(body), claimForMs }, now, invite);
}, { siteAdmin: siteAdminsIn(db) });
