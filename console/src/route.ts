import { BASE } from './auth';

export const VIEWS = [
  { id: 'seats', title: 'Seats at a glance', nav: 'Seats' },
  { id: 'invite', title: 'Invite people', nav: 'Invite' },
  { id: 'guests', title: 'Guests', nav: 'Guests' },
  { id: 'people', title: 'People', nav: 'People' },
  { id: 'invitations', title: 'Invitations', nav: 'Invitations' },
  { id: 'groups', title: 'Groups', nav: 'Groups' },
  { id: 'spaces', title: 'Spaces', nav: 'Spaces' },
  { id: 'policy', title: 'External-user policy', nav: 'Policy' },
  { id: 'audit', title: 'Audit log', nav: 'Audit log' },
] as const;
export type ViewId = (typeof VIEWS)[number]['id'];

export interface Location {
  readonly siteId: string | undefined;
  readonly view: ViewId;
}

const isView = (value: string | null): value is ViewId => VIEWS.some((view) => view.id === value);

export function currentLocation(): Location {
  const params = new URLSearchParams(window.location.search);
  const site = params.get('site')?.trim();
  const view = params.get('view');
  return { siteId: site ? site : undefined, view: isView(view) ? view : 'seats' };
}

/** The console's address for a view of a site: `?site=<siteId>&view=<view>`, one URL per view. */
export function hrefOf(siteId: string, view: ViewId): string {
  return `${BASE}?${new URLSearchParams({ site: siteId, view }).toString()}`;
}

export function isCallback(): boolean {
  return window.location.pathname === `${BASE}callback`;
}
