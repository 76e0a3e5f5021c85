// Events: create one with a time and guests (I am its host), see the
// events I host or am invited to, invite and uninvite guests.

import { useEffect, useState } from "preact/hooks";
import type { JSX } from "preact";
import { createEvent, getEvent, inviteToEvent, listEvents, listFriends, uninviteFromEvent, type Profile, type RoomsEvent } from "../api";
import { formatDateTime, t } from "../i18n";
import { announce } from "./announcer";
import { ErrorLine, messageOf, useLoaded } from "./common";
import { PersonPicker, PersonRow } from "./PersonPicker";
import { createRoomFor } from "./HomeRooms";

export function EventsSection() {
  const { value: events, error, refresh } = useLoaded(listEvents, []);
  const [open, setOpen] = useState<string | null>(null);

  return (
    <div class="two-columns">
      <div class="column">
        <CreateEventForm
          onCreated={(ev) => {
            void refresh();
            setOpen(ev.id);
          }}
        />
        <section class="card" aria-labelledby="events-title">
          <h2 id="events-title">{t("Your events")}</h2>
          <ErrorLine error={error} />
          {events === null ? (
            <p class="muted">{t("Loading…")}</p>
          ) : events.length === 0 ? (
            <p class="muted">{t("No events yet.")}</p>
          ) : (
            <ul class="room-list">
              {events.map((ev) => (
                <li key={ev.id}>
                  <button type="button" class="link" aria-current={open === ev.id ? "true" : undefined} onClick={() => setOpen(ev.id)}>
                    {ev.title}
                  </button>
                  <span class="muted">
                    {formatDateTime(ev.startsAt)} · {ev.isHost ? t("You host") : t("Hosted by {name}", { name: ev.host.displayName })}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <div class="column">{open && <EventDetail key={open} id={open} />}</div>
    </div>
  );
}

/** The value of a datetime-local input for a date, in local time. */
function localInputValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function CreateEventForm({ onCreated }: { onCreated: (ev: RoomsEvent) => void }) {
  const [title, setTitle] = useState("");
  const [when, setWhen] = useState(() => localInputValue(new Date(Date.now() + 60 * 60 * 1000)));
  const [friends, setFriends] = useState<Profile[]>([]);
  const [guests, setGuests] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    listFriends()
      .then((l) => setFriends(l.friends))
      .catch(() => {});
  }, []);

  const submit = async (e: JSX.TargetedEvent<HTMLFormElement>) => {
    e.preventDefault();
    const at = new Date(when);
    if (Number.isNaN(at.getTime())) {
      setError(t("Please pick a date and time."));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const ev = await createEvent(title.trim(), at, [...guests]);
      announce(t("Event created: {name}", { name: ev.title }));
      setTitle("");
      setGuests(new Set());
      onCreated(ev);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" aria-labelledby="new-event-title" onSubmit={submit}>
      <h2 id="new-event-title">{t("New event")}</h2>
      <label class="field">
        <span>{t("Title")}</span>
        <input name="title" required maxLength={100} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t("Starts at")}</span>
        <input name="startsAt" type="datetime-local" required value={when} onInput={(e) => setWhen(e.currentTarget.value)} />
      </label>
      {friends.length > 0 && (
        <fieldset class="field">
          <legend>{t("Invite friends")}</legend>
          {friends.map((f) => (
            <label key={f.id} class="check">
              <input
                type="checkbox"
                checked={guests.has(f.id)}
                onChange={(e) => {
                  const next = new Set(guests);
                  if (e.currentTarget.checked) next.add(f.id);
                  else next.delete(f.id);
                  setGuests(next);
                }}
              />
              <span>{f.displayName}</span>
            </label>
          ))}
        </fieldset>
      )}
      <ErrorLine error={error} />
      <button type="submit" class="primary" disabled={busy}>
        {t("Create event")}
      </button>
    </form>
  );
}

function EventDetail({ id }: { id: string }) {
  const { value: ev, error, refresh, version } = useLoaded(() => getEvent(id), [id]);
  if (!ev) return <ErrorLine error={error} />;
  const guests = ev.guests ?? [];
  const invited = new Set(guests.map((g) => g.id));
  return (
    <section class="card" aria-labelledby="event-title">
      <h2 id="event-title">{ev.title}</h2>
      <p class="muted">
        {formatDateTime(ev.startsAt)} · {ev.isHost ? t("You host") : t("Hosted by {name}", { name: ev.host.displayName })}
      </p>
      {ev.isHost && (
        <div class="row">
          <button type="button" class="primary small" onClick={() => createRoomFor(`event:${ev.id}`)}>
            {t("Create a room for this event")}
          </button>
          <span class="small muted">{t("Its guests will see the room and can drop in.")}</span>
        </div>
      )}
      <h3 class="panel-subtitle">{t("Guests ({n})", { n: guests.length })}</h3>
      <ul class="people-rows" aria-label={t("Guests")}>
        {guests.length === 0 && <li class="muted">{t("Nobody invited yet.")}</li>}
        {guests.map((g) => (
          <PersonRow
            key={g.id}
            person={g}
            actions={
              ev.isHost
                ? [
                    {
                      text: t("Uninvite"),
                      label: t("Uninvite {name}", { name: g.displayName }),
                      danger: true,
                      run: async () => {
                        await uninviteFromEvent(ev.id, g.id);
                        refresh();
                      },
                    },
                  ]
                : []
            }
          />
        ))}
      </ul>
      {ev.isHost && (
        <PersonPicker
          label={t("Invite someone")}
          idPrefix="event-invite"
          refreshKey={version}
          action={(p) =>
            invited.has(p.id)
              ? null
              : {
                  text: t("Invite"),
                  label: t("Invite {name}", { name: p.displayName }),
                  run: async () => {
                    await inviteToEvent(ev.id, p.id);
                    announce(t("{name} is invited", { name: p.displayName }));
                    refresh();
                  },
                }
          }
        />
      )}
      <ErrorLine error={error} />
    </section>
  );
}
