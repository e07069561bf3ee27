import { createGroup } from '../../shared/directory/catalog';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { newGroupId } from '../../shared/domain/ids';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { GroupBody, SiteParams } from '../../shared/http/schemas';
import { toGroup } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  params: SiteParams,
  body: GroupBody,
  handle: async ({ params, body, caller, now }) => {
    await requireSiteAdmin(db, params.siteId, caller);
    const group = await createGroup(db, { siteId: params.siteId, groupId: newGroupId(), ...body }, caller.userId, now);
    return { status: 201, body: toGroup(group) };
  },
});
