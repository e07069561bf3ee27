import { directoryFromEnvironment, getItem } from '../../shared/directory/directory';
import { PersonItem } from '../../shared/directory/items';
import { keys } from '../../shared/directory/keys';
import { notFound } from '../../shared/domain/errors';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { UserParams } from '../../shared/http/schemas';
import { toPerson } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  params: UserParams,
  handle: async ({ params, caller }) => {
    await requireSiteAdmin(db, params.siteId, caller);
    const person = await getItem(db, keys.person(params.siteId, params.userId), PersonItem);
    if (!person) throw notFound('The user');
    return { body: toPerson(person) };
  },
});
