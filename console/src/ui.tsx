import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useId, useRef, useState } from 'preact/hooks';
import type { Api, Page } from './api';
import { failureText } from './words';

/** The API client and the console-wide live region, for every view. */
export interface ConsoleContext {
  readonly api: Api;
  /** Says `text` through the live region: results of an action are announced, not only drawn. */
  readonly announce: (text: string) => void;
}
export const Console = createContext<ConsoleContext | null>(null);
export function useConsole(): ConsoleContext {
  const context = useContext(Console);
  if (!context) throw new Error('A view rendered outside the console');
  return context;
}

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  readonly reload: () => void;
}

/** Loads once per change of `deps`; an answer that arrives after a newer request is dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true, error: undefined }));
    load().then(
      (data) => current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => current && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      current = false;
    };
    // `load` is a new closure on every render; `deps` says when what it loads changes.
  }, [...deps, round]);
  const reload = useCallback(() => setRound((value) => value + 1), []);
  return { ...state, reload };
}

export interface Paged<T> extends Loaded<Page<T>> {
  readonly pageNumber: number;
  readonly next: (() => void) | undefined;
  readonly previous: (() => void) | undefined;
}

/**
 * Cursor paging: the API gives only a `nextCursor`, so the cursors of the pages seen are kept to go
 * back. A change of `deps` (a filter) starts again at the first page, as the cursor belongs to it.
 */
export function usePaged<T>(load: (cursor: string | undefined) => Promise<Page<T>>, deps: unknown[]): Paged<T> {
  const key = JSON.stringify(deps);
  // The cursors belong to the filters they were read with: other filters start from the first page.
  const [trail, setTrail] = useState<{ key: string; cursors: (string | undefined)[] }>({ key, cursors: [undefined] });
  const cursors = trail.key === key ? trail.cursors : [undefined];
  const cursor = cursors[cursors.length - 1];
  const loaded = useLoad(() => load(cursor), [key, cursor]);
  const nextCursor = loaded.data?.nextCursor;
  return {
    ...loaded,
    pageNumber: cursors.length,
    next: nextCursor ? () => setTrail({ key, cursors: [...cursors, nextCursor] }) : undefined,
    previous: cursors.length > 1 ? () => setTrail({ key, cursors: cursors.slice(0, -1) }) : undefined,
  };
}

export function Pager(props: { paged: Paged<unknown>; label: string }) {
  const { paged } = props;
  if (!paged.next && !paged.previous) return null;
  return (
    <nav class="pager" aria-label={`${props.label} pages`}>
      <button type="button" onClick={paged.previous} disabled={!paged.previous}>
        Previous page
      </button>
      <span>Page {paged.pageNumber}</span>
      <button type="button" onClick={paged.next} disabled={!paged.next}>
        Next page
      </button>
    </nav>
  );
}

export function ErrorNote(props: { error: unknown }) {
  if (props.error === undefined) return null;
  return (
    <p class="error" role="alert">
      {failureText(props.error)}
    </p>
  );
}

export function Loading(props: { loaded: { loading: boolean } }) {
  return props.loaded.loading ? <p class="muted">Loading…</p> : null;
}

/** One line of a per-person result: who, whether it worked, and what the API said. */
export interface Outcome {
  readonly who: string;
  readonly ok: boolean;
  readonly text: string;
}

export function Outcomes(props: { title: string; outcomes: Outcome[] | undefined }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // Focus goes to the results: the button that started the action may be gone or disabled by now,
  // and a keyboard user carries on from what happened rather than from the top of the page.
  useEffect(() => heading.current?.focus(), [props.outcomes]);
  if (!props.outcomes || props.outcomes.length === 0) return null;
  const failed = props.outcomes.filter((outcome) => !outcome.ok).length;
  return (
    <section class="outcomes" aria-label={props.title}>
      <h2 ref={heading} tabIndex={-1}>
        {props.title}
      </h2>
      <p>
        {props.outcomes.length - failed} succeeded, {failed} failed.
      </p>
      <ul>
        {props.outcomes.map((outcome) => (
          <li key={outcome.who} class={outcome.ok ? 'ok' : 'failed'}>
            <strong>{outcome.ok ? 'Done' : 'Failed'}:</strong> {outcome.who} — {outcome.text}
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * Runs `action` for each person in turn and answers every outcome. One person's failure stops
 * nobody else's call: each call is whole on its own, so the outcome list says exactly who changed.
 */
export async function forEachPerson<T extends { readonly label: string }>(
  people: readonly T[],
  action: (person: T) => Promise<string>,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const person of people) {
    try {
      outcomes.push({ who: person.label, ok: true, text: await action(person) });
    } catch (error) {
      outcomes.push({ who: person.label, ok: false, text: failureText(error) });
    }
  }
  return outcomes;
}

export function summary(outcomes: Outcome[]): string {
  const failed = outcomes.filter((outcome) => !outcome.ok).length;
  return `${outcomes.length - failed} succeeded, ${failed} failed.`;
}

/**
 * A confirmation in a modal `<dialog>`: the browser keeps focus inside it and closes it on Escape;
 * focus goes back to whatever opened it.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const titleId = useId();
  const { open, onCancel } = props;
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      element.showModal();
    } else if (!open && element.open) {
      element.close();
    }
  }, [open]);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    const closed = () => {
      opener.current?.focus();
      if (open) onCancel();
    };
    element.addEventListener('close', closed);
    return () => element.removeEventListener('close', closed);
  }, [open, onCancel]);
  return (
    <dialog ref={dialog} aria-labelledby={titleId} class="dialog">
      {open ? (
        <form method="dialog">
          <h2 id={titleId}>{props.title}</h2>
          <div class="dialog-body">{props.children}</div>
          <div class="actions">
            <button type="button" class={props.danger ? 'danger' : 'primary'} onClick={props.onConfirm}>
              {props.confirmLabel}
            </button>
            <button type="submit" value="cancel">
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}

/** The page sizes every paged list offers; the first is the default. */
export const PAGE_SIZES = [10, 25, 50, 100] as const;

/** The "Per page" field of a list's filters. */
export function PerPage(props: { id: string; value: number; onChange: (size: number) => void }) {
  return (
    <div class="field">
      <label for={props.id}>Per page</label>
      <select id={props.id} value={String(props.value)} onChange={(event) => props.onChange(Number(event.currentTarget.value))}>
        {PAGE_SIZES.map((size) => (
          <option key={size} value={String(size)}>
            {size}
          </option>
        ))}
      </select>
    </div>
  );
}
