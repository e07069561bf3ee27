import { directoryFromEnvironment } from '../../shared/directory/directory';
import { listUsers } from '../../shared/directory/people/user-list';
import { httpRoute } from '../../shared/http/route';
import { listUsersRoute } from '../../shared/http/routes/list-users';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { toPerson } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute(
  listUsersRoute,
  async ({ params, query }) => {
    const page = await listUsers(db, params.siteId, query);
    return { body: { users: page.users.map(toPerson), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) } };
  },
  { siteAdmin: siteAdminsIn(db) },
);
