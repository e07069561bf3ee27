import { acceptedPage, type AcceptedNext } from '../../shared/http/pages';
import { httpRoute } from '../../shared/http/route';
import { invitationAcceptedRoute } from '../../shared/http/routes/invitation-accepted';

const NEXT_STEPS: readonly string[] = ['space', 'ready'] satisfies AcceptedNext[];
const isNext = (value: string | undefined): value is AcceptedNext => value !== undefined && NEXT_STEPS.includes(value);

/** The accepted page: it knows only which next step to describe, so anyone may open it. */
export const handler = httpRoute(invitationAcceptedRoute, async ({ query }) => ({ html: acceptedPage(isNext(query.next) ? query.next : undefined) }));
