import { createGroup } from '../../shared/directory/group-catalog';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { newGroupId } from '../../shared/ids';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { createGroupRoute } from '../../shared/http/routes/create-group';
import { toGroup } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute(createGroupRoute, async ({ params, body, admin, now }) => {
  const group = await createGroup(db, { siteId: params.siteId, groupId: newGroupId(), ...body }, admin.userId, now.toISOString());
  return { status: 201, body: toGroup(group) };
}, { siteAdmin: siteAdminsIn(db) });
