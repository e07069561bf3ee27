import * as z from 'zod/mini';
import { defineRoute } from '../declaration';
import { ACCEPTED_PAGE_PATH } from '../pages';

/** Anything but the two known values reads as "not said": the page then speaks of the welcome email only. */
export const AcceptedQuery = z.object({ next: z.optional(z.string()) });

export const invitationAcceptedRoute = defineRoute({
  name: 'invitation-accepted',
  method: 'GET',
  path: ACCEPTED_PAGE_PATH,
  auth: 'public',
  summary: 'The page an accepted invitation leads to (HTML)',
  query: AcceptedQuery,
  responses: {
    200: {
      description:
        'Where the invitation page’s form post redirects (303) once the invitation is accepted: a page saying what happens next (`next=space`: an administrator assigns a space first; `next=ready`: access is being switched on). It carries no link token and names nobody, so the address the browser keeps, and its history, hold nothing to reuse.',
      html: true,
    },
  },
  table: 'none',
});
