import type { User } from 'oidc-client-ts';
import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Api, type ApiError } from './api';
import type { Auth, ConsoleConfig } from './auth';
import { BASE } from './auth';
import { VIEWS, currentLocation, hrefOf, type Location, type ViewId } from './route';
import { Console } from './ui';
import { AuditView } from './views/audit';
import { GroupsView } from './views/groups';
import { GuestsView } from './views/guests';
import { InvitationsView } from './views/invitations';
import { InviteView } from './views/invite';
import { PeopleView } from './views/people';
import { PolicyView } from './views/policy';
import { SeatsView } from './views/seats';
import { SpacesView } from './views/spaces';

export type Gate =
  | { readonly kind: 'signed-out'; readonly why: 'never' | 'expired' | 'signed-out' }
  | { readonly kind: 'session-ended' }
  | { readonly kind: 'forbidden'; readonly message: string }
  | { readonly kind: 'failed'; readonly message: string };

/** A page with one heading and a next step, for every state in which the views cannot be shown. */
export function GatePage(props: { gate: Gate; auth: Auth | undefined; siteId?: string | undefined }) {
  const { gate, auth } = props;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [gate.kind]);
  const [signInFailure, setSignInFailure] = useState<string | undefined>(undefined);
  const signIn = () => {
    setSignInFailure(undefined);
    auth?.signIn(`${window.location.pathname}${window.location.search}`).catch((error: unknown) => {
      setSignInFailure(`The sign-in service could not be reached: ${error instanceof Error ? error.message : String(error)}. Try again in a moment.`);
    });
  };
  let title: string;
  let body: ComponentChildren;
  switch (gate.kind) {
    case 'signed-out':
      title = gate.why === 'expired' ? 'Your session has ended' : gate.why === 'signed-out' ? 'You are signed out' : 'Sign in to the guestpass console';
      body = <p>{gate.why === 'expired' ? 'Your sign-in expired. Sign in again to carry on where you were.' : 'Sign in with your organisation’s account to manage your site’s guests.'}</p>;
      break;
    case 'session-ended':
      title = 'Your session has ended';
      body = <p>The API no longer accepts your sign-in. Sign in again to carry on where you were.</p>;
      break;
    case 'forbidden':
      title = 'You are not an admin of this site';
      body = (
        <>
          <p>
            Your account may not manage {props.siteId ? <strong>{props.siteId}</strong> : 'this site'}. Ask an org admin to make you a site admin, or open a site you
            administer.
          </p>
          <p class="muted">The API said: {gate.message}</p>
          <SitePicker />
        </>
      );
      break;
    case 'failed':
      title = 'The console could not start';
      body = <p>{gate.message}</p>;
      break;
  }
  return (
    <main id="main" class="gate">
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {body}
      {signInFailure ? (
        <p class="error" role="alert">
          {signInFailure}
        </p>
      ) : null}
      {auth ? (
        <div class="actions">
          {gate.kind === 'forbidden' ? (
            <button type="button" onClick={() => void auth.signOut().then((how) => how === 'local' && window.location.assign(BASE))}>
              Sign in as someone else
            </button>
          ) : (
            <button type="button" class="primary" onClick={signIn}>
              Sign in
            </button>
          )}
        </div>
      ) : null}
    </main>
  );
}

function SitePicker() {
  const [site, setSite] = useState('');
  return (
    <form
      class="stack narrow"
      onSubmit={(event) => {
        event.preventDefault();
        if (site.trim()) window.location.assign(hrefOf(site.trim(), 'seats'));
      }}
    >
      <div class="field">
        <label for="site-id">Site id</label>
        <input id="site-id" value={site} autoComplete="off" onInput={(event) => setSite(event.currentTarget.value)} />
      </div>
      <div class="actions">
        <button type="submit">Open site</button>
      </div>
    </form>
  );
}

const VIEW_COMPONENTS: Record<ViewId, (props: { inviterName: string }) => JSX.Element> = {
  seats: SeatsView,
  invite: InviteView,
  guests: GuestsView,
  people: PeopleView,
  invitations: InvitationsView,
  groups: GroupsView,
  spaces: SpacesView,
  policy: PolicyView,
  audit: AuditView,
};

/** The signed-in console: skip link, header, the views' nav, the view, and one live region. */
export function ConsoleApp(props: { config: ConsoleConfig; auth: Auth; user: User }) {
  const { config, auth, user } = props;
  const [location, setLocation] = useState<Location>(currentLocation);
  const [gate, setGate] = useState<Gate | undefined>(undefined);
  const [announcement, setAnnouncement] = useState({ text: '', round: 0 });
  const [inviterName, setInviterName] = useState('An administrator');
  const [adminLabel, setAdminLabel] = useState<string | undefined>(undefined);
  const heading = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);

  const refused = useCallback(
    (error: ApiError) => {
      if (error.status === 401) {
        void auth.forget();
        setGate({ kind: 'session-ended' });
      } else {
        setGate({ kind: 'forbidden', message: error.message });
      }
    },
    [auth],
  );
  const siteId = location.siteId;
  const api = useMemo(() => (siteId ? new Api(config.apiUrl, siteId, user.access_token, refused) : undefined), [config.apiUrl, siteId, user.access_token, refused]);
  const announce = useCallback((text: string) => setAnnouncement((previous) => ({ text, round: previous.round + 1 })), []);
  const context = useMemo(() => (api ? { api, announce } : null), [api, announce]);

  // A token that expires while the admin works ends the session with its page, not with failing calls.
  useEffect(
    () =>
      auth.onExpired(() => {
        void auth.forget();
        setGate({ kind: 'signed-out', why: 'expired' });
      }),
    [auth],
  );

  useEffect(() => {
    const popped = () => setLocation(currentLocation());
    window.addEventListener('popstate', popped);
    return () => window.removeEventListener('popstate', popped);
  }, []);

  // The email preview names the inviter as the email will: the admin's display name on this site.
  useEffect(() => {
    if (!api || !user.profile.sub) return;
    api.person(user.profile.sub).then(
      (person) => {
        setInviterName(person.displayName ?? 'An administrator');
        setAdminLabel(person.displayName ? `${person.displayName} (${person.email})` : person.email);
      },
      () => undefined,
    );
  }, [api, user.profile.sub]);

  const view = VIEWS.find((candidate) => candidate.id === location.view) ?? VIEWS[0];
  useEffect(() => {
    document.title = `${view.title}${siteId ? ` · ${siteId}` : ''} · guestpass console`;
    // Focus goes to the new view's heading, so a screen reader says where the admin is now.
    if (!firstRender.current) heading.current?.focus();
    firstRender.current = false;
  }, [view.id, siteId]);

  if (gate) return <GatePage gate={gate} auth={auth} siteId={siteId} />;

  const signOut = async () => {
    if ((await auth.signOut()) === 'local') setGate({ kind: 'signed-out', why: 'signed-out' });
  };
  const go = (event: MouseEvent, to: ViewId) => {
    if (!siteId || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    window.history.pushState(null, '', hrefOf(siteId, to));
    setLocation(currentLocation());
  };
  const View = VIEW_COMPONENTS[view.id];
  const who = adminLabel ?? (typeof user.profile.email === 'string' ? user.profile.email : user.profile.sub);

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <p class="brand">guestpass console</p>
        <p class="who">
          {siteId ? (
            <>
              Site <strong>{siteId}</strong> ·{' '}
            </>
          ) : null}
          Signed in as <strong>{who}</strong>
        </p>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      {siteId ? (
        <nav class="views" aria-label="Console views">
          <ul>
            {VIEWS.map((candidate) => (
              <li key={candidate.id}>
                <a href={hrefOf(siteId, candidate.id)} aria-current={candidate.id === view.id ? 'page' : undefined} onClick={(event) => go(event, candidate.id)}>
                  {candidate.nav}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <main id="main" tabIndex={-1}>
        <h1 ref={heading} tabIndex={-1}>
          {siteId ? view.title : 'Choose a site'}
        </h1>
        {context ? (
          <Console.Provider value={context}>
            <View key={`${siteId}-${view.id}`} inviterName={inviterName} />
          </Console.Provider>
        ) : (
          <>
            <p>Open the site you administer by its id.</p>
            <SitePicker />
          </>
        )}
      </main>
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">
        {announcement.round > 0 ? <span key={announcement.round}>{announcement.text}</span> : null}
      </div>
    </>
  );
}
