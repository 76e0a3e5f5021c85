// Finding a person by name or email (GET /api/users?q=), with one action
// per result.

import { useEffect, useState } from "preact/hooks";
import { searchUsers, type Profile } from "../api";
import { t } from "../i18n";
import { Avatar, ErrorLine, messageOf } from "./common";

interface Props {
  label: string;
  /** The button of each result; null for none. */
  action: (p: Profile) => { text: string; label: string; run: () => Promise<void> } | null;
  /** Changes whenever the caller's lists change, to refresh the results. */
  refreshKey?: unknown;
  idPrefix: string;
}

export function PersonPicker({ label, action, refreshKey, idPrefix }: Props) {
  const [q, setQ] = useState("");
  const [results, setResults] = useState<Profile[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const query = q.trim();
    if (query.length < 3) {
      setResults(null);
      return;
    }
    const timer = setTimeout(() => {
      searchUsers(query)
        .then((r) => {
          setResults(r);
          setError(null);
        })
        .catch((err: unknown) => setError(messageOf(err)));
    }, 250);
    return () => clearTimeout(timer);
  }, [q, refreshKey]);

  return (
    <div class="person-picker">
      <label class="field">
        <span>{label}</span>
        <input
          type="search"
          id={`${idPrefix}-q`}
          placeholder={t("A name or an email address")}
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
          aria-describedby={`${idPrefix}-hint`}
        />
      </label>
      <p id={`${idPrefix}-hint`} class="hint">
        {t("Type at least 3 characters.")}
      </p>
      <ErrorLine error={error} />
      {results && (
        <ul class="people-rows" aria-label={t("Search results")}>
          {results.length === 0 && <li class="muted">{t("Nobody found.")}</li>}
          {results.map((p) => (
            <PersonRow key={p.id} person={p} actions={[action(p)]} />
          ))}
        </ul>
      )}
    </div>
  );
}

export interface RowAction {
  text: string;
  label: string;
  run: () => Promise<void>;
  danger?: boolean;
}

/** One person with their avatar, name, and buttons. */
export function PersonRow({ person, actions, note }: { person: Profile; actions: (RowAction | null)[]; note?: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <li class="person-row" data-testid="person-row">
      <Avatar name={person.displayName} emoji={person.avatar} />
      <span class="person-name">
        <span>{person.displayName}</span>
        {person.email && <span class="muted small">{person.email}</span>}
        {note && <span class="badge subtle">{note}</span>}
      </span>
      <span class="person-actions">
        {actions.map(
          (a) =>
            a && (
              <button
                key={a.label}
                type="button"
                class={a.danger ? "small danger-outline" : "small"}
                aria-label={a.label}
                disabled={busy}
                onClick={async () => {
                  setBusy(true);
                  setError(null);
                  try {
                    await a.run();
                  } catch (err) {
                    setError(messageOf(err));
                  } finally {
                    setBusy(false);
                  }
                }}
              >
                {a.text}
              </button>
            ),
        )}
      </span>
      {error && (
        <p class="notice error row-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
