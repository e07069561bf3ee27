import { directoryFromEnvironment } from '../../shared/directory/directory';
import { listInvitations } from '../../shared/directory/invitation-list';
import { httpRoute } from '../../shared/http/route';
import { listInvitationsRoute } from '../../shared/http/routes/list-invitations';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { toInvitation } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute(
  listInvitationsRoute,
  async ({ params, query }) => {
    const page = await listInvitations(db, params.siteId, query);
    return { body: { invitations: page.invitations.map(toInvitation), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) } };
  },
  { siteAdmin: siteAdminsIn(db) },
);
