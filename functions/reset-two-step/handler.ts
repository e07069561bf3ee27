import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { resetTwoStepRoute } from '../../shared/http/routes/reset-two-step';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { toPerson } from '../../shared/http/views';
import { resetTwoStep } from '../../shared/usecases/two-step';

const db = directoryFromEnvironment();

export const handler = httpRoute(resetTwoStepRoute, async ({ params, admin, now }) => ({
  body: toPerson(await resetTwoStep(db, params.siteId, params.userId, admin.userId, now)),
}), { siteAdmin: siteAdminsIn(db) });
