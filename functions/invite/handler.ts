import { sfn } from '../../shared/clients/sfn';
import { environment, required } from '../../shared/config';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { withIdempotency } from '../../shared/directory/idempotency';
import { bodyDigest } from '../../shared/domain/tokens';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { IdempotencyKey, InviteBody, SiteParams } from '../../shared/http/schemas';
import { inviteBatch } from '../../shared/workflow/invite';
import { AppError } from '../../shared/domain/errors';

const db = directoryFromEnvironment();
const stateMachineArn = required('STATE_MACHINE_ARN');

export const handler = httpRoute({
  auth: 'token',
  params: SiteParams,
  body: InviteBody,
  handle: async ({ params, body, caller, headers }) => {
    const { site, displayName } = await requireSiteAdmin(db, params.siteId, caller);
    const rawKey = headers['idempotency-key'];
    const invite = async () => {
      const response = await inviteBatch(
        { db, sfn, stateMachineArn, expirySecondsOverride: environment().INVITE_EXPIRY_SECONDS },
        { site, body, inviter: { userId: caller.userId, name: displayName ?? 'An administrator' } },
        new Date(),
      );
      return { status: 200, body: response };
    };
    if (rawKey === undefined) return invite();
    const key = IdempotencyKey.safeParse(rawKey);
    if (!key.success) {
      throw new AppError('validation_failed', 'The Idempotency-Key header is not valid.', {
        issues: [{ path: 'headers.idempotency-key', message: key.error.issues[0]?.message ?? 'Invalid' }],
      });
    }
    const scope = { siteId: params.siteId, callerId: caller.userId, key: key.data, bodyDigest: bodyDigest(body) };
    return withIdempotency(db, scope, new Date(), invite);
  },
});
