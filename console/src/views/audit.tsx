import { useEffect, useId, useState } from 'preact/hooks';
import type { AuditEvent } from '../api';
import { ErrorNote, useConsole } from '../ui';
import { failureText, formatTime } from '../words';

const PAGE = 50;

/**
 * The audit log, newest first. The API pages it but filters nothing, so the action and person
 * filters apply to the events loaded so far, and "Load older events" reads one more page.
 */
export function AuditView() {
  const { api, announce } = useConsole();
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(true);
  const [failure, setFailure] = useState<unknown>(undefined);
  const [action, setAction] = useState('');
  const [person, setPerson] = useState('');
  const ids = { action: useId(), person: useId(), personHelp: useId() };

  const load = async (from: string | undefined, replace: boolean) => {
    setLoading(true);
    setFailure(undefined);
    try {
      const page = await api.auditEvents({ limit: PAGE, ...(from ? { cursor: from } : {}) });
      setEvents((seen) => (replace ? page.items : [...seen, ...page.items]));
      setCursor(page.nextCursor);
      setDone(!page.nextCursor);
      if (!replace) announce(`${page.items.length} older events loaded.`);
    } catch (error) {
      setFailure(error);
      announce(failureText(error));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(undefined, true);
  }, []);

  const actions = [...new Set(events.map((event) => event.action))].sort();
  const needle = person.trim().toLowerCase();
  const shown = events.filter(
    (event) =>
      (!action || event.action === action) &&
      (!needle || event.actor.toLowerCase().includes(needle) || event.target.toLowerCase().includes(needle) || JSON.stringify(event.details).toLowerCase().includes(needle)),
  );

  return (
    <>
      <form class="filters" aria-label="Filter the audit log" onSubmit={(event) => event.preventDefault()}>
        <div class="field">
          <label for={ids.action}>Action</label>
          <select id={ids.action} value={action} onChange={(event) => setAction(event.currentTarget.value)}>
            <option value="">Any action</option>
            {actions.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={ids.person}>Person</label>
          <input id={ids.person} type="search" value={person} aria-describedby={ids.personHelp} onInput={(event) => setPerson(event.currentTarget.value)} />
          <p id={ids.personHelp} class="hint">
            A user id or address, as actor or target.
          </p>
        </div>
      </form>
      <ErrorNote error={failure} />
      <section aria-labelledby="audit-list-title">
        <h2 id="audit-list-title">Events</h2>
        <p aria-live="polite">
          {shown.length} of {events.length} loaded events shown{done ? ' (the whole log is loaded)' : ''}.
        </p>
        <ol class="cards audit">
          {shown.map((event, index) => (
            <li key={`${event.at}-${index}`} class="card">
              <p class="card-title">
                <strong>{event.action}</strong> <span class="muted">{formatTime(event.at)}</span>
              </p>
              <dl class="facts">
                <div>
                  <dt>By</dt>
                  <dd>{event.actor}</dd>
                </div>
                <div>
                  <dt>On</dt>
                  <dd>{event.target}</dd>
                </div>
                {Object.keys(event.details).length > 0 ? (
                  <div>
                    <dt>Details</dt>
                    <dd class="details">{Object.entries(event.details).map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`).join('; ')}</dd>
                  </div>
                ) : null}
              </dl>
            </li>
          ))}
        </ol>
        {loading ? <p class="muted">Loading…</p> : null}
        {!done && !loading ? (
          <div class="actions">
            <button type="button" onClick={() => void load(cursor, false)}>
              Load older events
            </button>
          </div>
        ) : null}
      </section>
    </>
  );
}
