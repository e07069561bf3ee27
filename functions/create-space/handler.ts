import { createSpace } from '../../shared/directory/spaces';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { createSpaceRoute } from '../../shared/http/routes/create-space';
import { toSpace } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute(createSpaceRoute, async ({ params, body, admin, now }) => {
  const space = await createSpace(db, { siteId: params.siteId, ...body }, admin.userId, now.toISOString());
  return { status: 201, body: toSpace(space) };
}, { siteAdmin: siteAdminsIn(db) });
