// The rooms section of home: create a room (standalone, for a group or an
// event, with its settings), the rooms I host, and the drop-in tray of
// active rooms I may join, live.

import { useEffect, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import {
  createRoom,
  listEvents,
  listGroups,
  listRooms,
  roomLink,
  roomTitle,
  watchDropIn,
  type DropInRoom,
  type Group,
  type Room,
  type RoomContext,
  type RoomsEvent,
} from "../api";
import type { RoomKind } from "../protocol";
import { formatDateTime, plural, t } from "../i18n";
import { announce } from "./announcer";
import { Avatar, ErrorLine, copyText, messageOf } from "./common";
import { RoomSettingsFields, defaultSettings, type SettingsValue } from "./RoomSettingsFields";
import { themeLabel, themeOf } from "./themes";

/**
 * The context a new room should start with, set by "Create a room" on a
 * group's or an event's page ("group:<id>" or "event:<id>").
 */
let pendingContext = "";

/** Opens the rooms section with the create form set to a group or an event. */
export function createRoomFor(context: string): void {
  pendingContext = context;
  window.location.hash = "rooms";
}

export function RoomsSection() {
  const [rooms, setRooms] = useState<Room[] | null>(null);
  const [roomsError, setRoomsError] = useState<string | null>(null);
  const [created, setCreated] = useState<Room | null>(null);

  const refresh = () =>
    listRooms()
      .then((r) => {
        setRooms(r);
        setRoomsError(null);
      })
      .catch((err: unknown) => setRoomsError(messageOf(err)));

  useEffect(() => {
    void refresh();
  }, []);

  return (
    <div class="rooms-section">
      <div class="column create-col">
        <CreateRoomForm
          onCreated={(room) => {
            setCreated(room);
            void refresh();
          }}
        />
        {created && <CreatedRoom room={created} />}
      </div>
      <div class="column">
        <DropInTray />
        <section class="card" aria-labelledby="rooms-title">
          <h2 id="rooms-title">{t("Your rooms")}</h2>
          <ErrorLine error={roomsError} />
          {rooms === null ? (
            !roomsError && <p class="muted">{t("Loading…")}</p>
          ) : rooms.length === 0 ? (
            <p class="muted">{t("You have no rooms yet.")}</p>
          ) : (
            <ul class="room-list">
              {rooms.map((r) => (
                <li key={r.id}>
                  <span class="room-line">
                    {themeOf(r.theme) && <span aria-hidden="true">{themeOf(r.theme)?.emoji} </span>}
                    {r.ended || !r.token ? <span>{roomTitle(r)}</span> : <a href={`/r/${r.token}`}>{roomTitle(r)}</a>}
                  </span>
                  {r.token && !r.ended && <CopyLinkButton room={r} />}
                  <span class="muted">
                    {r.ended ? t("Ended") : r.participantCount === 0 ? t("Nobody inside") : plural(r.participantCount, "1 person in the call", "{n} people in the call")}
                    {r.locked && !r.ended ? ` · ${t("Locked")}` : ""}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </div>
  );
}

function CreateRoomForm({ onCreated }: { onCreated: (r: Room) => void }) {
  const [groups, setGroups] = useState<Group[]>([]);
  const [events, setEvents] = useState<RoomsEvent[]>([]);
  // "standalone", "group:<id>" or "event:<id>".
  const [context, setContext] = useState(() => {
    const c = pendingContext || "standalone";
    pendingContext = "";
    return c;
  });
  // Opened by "Create a room for this group" (whose button is gone now): focus starts at the form.
  const headingRef = useRef<HTMLHeadingElement>(null);
  const openedFor = useRef(context !== "standalone");
  useEffect(() => {
    if (openedFor.current) headingRef.current?.focus();
  }, []);
  const kind: RoomKind = context.startsWith("group:") ? "group" : context.startsWith("event:") ? "event" : "standalone";
  const [value, setValue] = useState<SettingsValue>({ name: "", theme: "", ...defaultSettings(kind) });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    listGroups()
      .then(setGroups)
      .catch(() => {});
    listEvents()
      .then((list) => setEvents(list.filter((e) => e.isHost)))
      .catch(() => {});
  }, []);

  const pickContext = (c: string) => {
    setContext(c);
    const k: RoomKind = c.startsWith("group:") ? "group" : c.startsWith("event:") ? "event" : "standalone";
    // The defaults follow the context, as PRODUCT.md says.
    setValue({ ...value, ...defaultSettings(k) });
  };

  const submit = async (e: JSX.TargetedEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const id = context.slice(context.indexOf(":") + 1);
    const ctx: RoomContext = kind === "group" ? { kind, groupId: id } : kind === "event" ? { kind, eventId: id } : { kind: "standalone" };
    try {
      const room = await createRoom({ ...value, name: value.name.trim() }, ctx);
      announce(t("Room created: {name}", { name: roomTitle(room) }));
      setValue({ name: "", theme: "", ...defaultSettings(kind) });
      onCreated(room);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" aria-labelledby="create-title" onSubmit={submit}>
      <h2 id="create-title" ref={headingRef} tabIndex={-1}>
        {t("New room")}
      </h2>
      <label class="field">
        <span>{t("For")}</span>
        <select name="context" value={context} onChange={(e) => pickContext(e.currentTarget.value)}>
          <option value="standalone">{t("Just me (a standalone room)")}</option>
          {groups.length > 0 && (
            <optgroup label={t("My groups")}>
              {groups.map((g) => (
                <option key={g.id} value={`group:${g.id}`}>
                  {g.name}
                </option>
              ))}
            </optgroup>
          )}
          {events.length > 0 && (
            <optgroup label={t("My events")}>
              {events.map((ev) => (
                <option key={ev.id} value={`event:${ev.id}`}>
                  {ev.title} · {formatDateTime(ev.startsAt)}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </label>
      <RoomSettingsFields kind={kind} value={value} onChange={setValue} idPrefix="create" collapsible />
      <ErrorLine error={error} />
      <button type="submit" class="primary" disabled={busy}>
        {t("Create room")}
      </button>
    </form>
  );
}

function CreatedRoom({ room }: { room: Room }) {
  const link = roomLink(room.token ?? "");
  const [copied, setCopied] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);

  // The new link may appear below the fold: bring it into view and say it with focus.
  useEffect(() => {
    const h = headingRef.current;
    h?.scrollIntoView({ block: "center" });
    h?.focus({ preventScroll: true });
  }, [room.id]);

  const copy = async () => {
    const ok = await copyText(link);
    setCopied(ok);
    announce(ok ? t("Link copied") : t("Couldn't copy the link. Select it and copy it yourself."));
  };
  const share = async () => {
    try {
      await navigator.share({ title: roomTitle(room), url: link });
    } catch {
      // Cancelled, or not possible: the link is on the screen anyway.
    }
  };

  return (
    <section class="card created" aria-labelledby="created-title">
      <h2 id="created-title" ref={headingRef} tabIndex={-1}>
        {t("{name} is ready", { name: roomTitle(room) })}
      </h2>
      <p class="muted">{t("Share this link. People join with it in their browser.")}</p>
      <label class="field">
        <span>{t("Room link")}</span>
        <input readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <div class="row">
        <button type="button" onClick={copy}>
          {t("Copy link")}
        </button>
        {typeof navigator.share === "function" && (
          <button type="button" onClick={share}>
            {t("Share")}
          </button>
        )}
        <a class="button primary" href={`/r/${room.token}`}>
          {t("Open room")}
        </a>
        {copied && <span class="muted">{t("Copied")}</span>}
      </div>
    </section>
  );
}

function CopyLinkButton({ room }: { room: Room }) {
  return (
    <button
      type="button"
      class="small"
      aria-label={t("Copy the link of {name}", { name: roomTitle(room) })}
      onClick={async () => {
        const ok = await copyText(roomLink(room.token ?? ""));
        announce(ok ? t("Link copied") : t("Couldn't copy the link."));
      }}
    >
      {t("Copy link")}
    </button>
  );
}

/** The active rooms I may drop into, with the friends inside, live. */
function DropInTray() {
  const [rooms, setRooms] = useState<DropInRoom[] | null>(null);
  const [offline, setOffline] = useState(false);

  useEffect(
    () =>
      watchDropIn(
        (list) => {
          setRooms(list);
          setOffline(false);
        },
        () => setOffline(true),
      ),
    [],
  );

  return (
    <section class="card tray" aria-labelledby="dropin-title" data-testid="dropin-tray">
      <h2 id="dropin-title">{t("Drop in")}</h2>
      {offline && <p class="muted small">{t("Reconnecting…")}</p>}
      {rooms === null ? (
        <p class="muted">{t("Loading…")}</p>
      ) : rooms.length === 0 ? (
        <p class="muted">{t("No rooms to drop into right now. When friends, your groups or your events open one, it shows up here.")}</p>
      ) : (
        <ul class="dropin-list" aria-live="polite">
          {rooms.map((r) => {
            // An unnamed room of a group or event goes by its name.
            const title = r.name.trim() || !r.contextName ? roomTitle(r) : r.contextName;
            const href = r.token ? `/r/${r.token}?join=1` : `/d/${r.id}?join=1`;
            return (
              <li key={r.id} class="dropin" data-testid="dropin-room">
                <Avatar name={r.host.displayName} emoji={r.host.avatar} />
                <div class="dropin-text">
                  <strong>{title}</strong>
                  {r.theme && <span class="muted small"> · {themeLabel(r.theme)}</span>}
                  <div class="muted small">{insideText(r)}</div>
                </div>
                {r.selfInside ? (
                  <span class="badge" data-testid="self-inside">
                    {t("You're in this room")}
                  </span>
                ) : (
                  <a class="button primary small" href={href} aria-label={t("Join {name}", { name: title })}>
                    {t("Join")}
                  </a>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** "Ann and Ben are inside, and 3 others." */
function insideText(r: DropInRoom): string {
  const names = r.friends.join(", ");
  if (r.selfInside && r.friends.length === 0 && r.others === 0) return t("Nobody else inside");
  if (r.friends.length === 0) return plural(r.others, "1 person inside", "{n} people inside");
  if (r.others === 0) return t("{names} inside", { names });
  return t("{names} and {n} more inside", { names, n: r.others });
}
