import { directoryFromEnvironment } from '../../shared/directory/directory';
import { createSite } from '../../shared/directory/sites';
import { AppError } from '../../shared/domain/errors';
import { isDeliverableEmail, normalizeEmail } from '../../shared/domain/people';
import { httpRoute } from '../../shared/http/route';
import { createSiteRoute } from '../../shared/http/routes/create-site';
import { toSite } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute(createSiteRoute, async ({ body, caller, now }) => {
  const admins = body.admins.map((admin) => ({ ...admin, email: normalizeEmail(admin.email) }));
  const invalid = admins.flatMap((admin, index) => (isDeliverableEmail(admin.email) ? [] : [{ path: `body.admins.${index}.email`, message: 'Not a deliverable address' }]));
  if (invalid.length > 0) throw new AppError('validation_failed', 'Some admin addresses are not valid.', { issues: invalid });
  if (new Set(admins.map((admin) => admin.email)).size !== admins.length) {
    throw new AppError('validation_failed', 'An admin is listed twice.', { issues: [{ path: 'body.admins', message: 'Duplicate address' }] });
  }
  const created = await createSite(db, { ...body, admins }, caller.userId, now.toISOString());
  return { status: 201, body: { ...toSite(created.site), admins: created.admins } };
});
