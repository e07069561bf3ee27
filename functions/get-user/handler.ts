import { directoryFromEnvironment } from '../../shared/directory/directory';
import { PersonItem, personKey } from '../../shared/directory/entities/person';
import { readItem } from '../../shared/directory/reads';
import { notFound } from '../../shared/domain/errors';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { getUserRoute } from '../../shared/http/routes/get-user';
import { toPerson } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute(getUserRoute, async ({ params }) => {
  const person = await readItem(db, personKey(params.siteId, params.userId), PersonItem);
  if (!person) throw notFound('The user');
  return { body: toPerson(person) };
}, { siteAdmin: siteAdminsIn(db) });
