// The participant list: everyone in the call, and for the host the room's
// switches (lock, link sharing) and each person's Mute and Remove.

import { useEffect, useState } from "preact/hooks";
import { liftBar, listBars, muteParticipant, setRoomLocked, updateRoom, type Bar } from "../api";
import type { Participant, SignalRoom } from "../protocol";
import { t } from "../i18n";
import { announce } from "./announcer";
import { Avatar, ErrorLine, messageOf } from "./common";
import { MicIcon } from "./icons";
import { RemoveDialog } from "./RoomDialogs";

interface Props {
  self: Participant;
  others: Participant[];
  room: SignalRoom | null;
  /** The room's token when we are the host (the host's controls need it). */
  hostToken: string | null;
}

export function PeoplePanel({ self, others, room, hostToken }: Props) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState<Participant | null>(null);
  // Raised hands first, in the order they went up; then everyone else.
  const everyone = [self, ...others].sort((a, b) => Number(!!b.handRaised) - Number(!!a.handRaised));
  // While a change is on its way, show what was asked for.
  const [wantSharing, setWantSharing] = useState<boolean | null>(null);
  const locked = !!room?.locked;
  const sharing = wantSharing ?? room?.linkSharing ?? true;
  const [bars, setBars] = useState<Bar[]>([]);

  // The people the host removed, who can be let back; a removal locks the
  // room, so a change of the lock is when the list may have changed.
  const refreshBars = () => {
    if (hostToken) listBars(hostToken).then(setBars, () => {});
  };
  useEffect(refreshBars, [hostToken, room?.locked, room?.lockReason, others.length]);

  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="people-panel">
      {hostToken && (
        <section class="host-controls" aria-label={t("Host controls")}>
          <button
            type="button"
            class={locked ? "toggle off" : "toggle"}
            disabled={busy}
            onClick={() => void act(() => setRoomLocked(hostToken, !locked))}
          >
            {locked ? t("Unlock room") : t("Lock room")}
          </button>
          <label class="switch">
            <input
              type="checkbox"
              role="switch"
              checked={sharing}
              disabled={busy}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                setWantSharing(on);
                void act(async () => {
                  try {
                    await updateRoom(hostToken, { linkSharing: on });
                    announce(on ? t("Link sharing is on") : t("Link sharing is off"));
                  } finally {
                    setWantSharing(null);
                  }
                });
              }}
            />
            <span>{t("Link sharing")}</span>
          </label>
          <ErrorLine error={error} />
        </section>
      )}
      {hostToken && bars.length > 0 && (
        <section aria-labelledby="bars-title">
          <h3 class="panel-subtitle" id="bars-title">
            {t("Removed ({n})", { n: bars.length })}
          </h3>
          <ul class="people-list">
            {bars.map((b) => (
              <li key={b.userId ?? b.guestId}>
                <Avatar name={b.displayName} />
                <span class="person-name">{b.displayName}</span>
                <button
                  type="button"
                  class="small"
                  aria-label={t("Let {name} back in", { name: b.displayName })}
                  disabled={busy}
                  onClick={() =>
                    void act(async () => {
                      await liftBar(hostToken, b);
                      announce(t("{name} can come back in", { name: b.displayName }));
                      refreshBars();
                    })
                  }
                >
                  {t("Let back in")}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <h3 class="panel-subtitle">{t("In the call ({n})", { n: everyone.length })}</h3>
      <ul class="people-list" aria-label={t("Participants")}>
        {everyone.map((p) => {
          const isSelf = p.id === self.id;
          return (
            <li key={p.id} data-testid="person" data-participant-id={p.id}>
              <Avatar name={p.name} />
              <span class="person-name">
                {isSelf ? t("{name} (you)", { name: p.name }) : p.name}
                {p.host && <span class="badge">{t("Host")}</span>}
                {p.guest && <span class="badge subtle">{t("Guest")}</span>}
              </span>
              <span class="person-state">
                {p.handRaised && (
                  <span title={t("Hand raised")}>
                    ✋<span class="sr-only">{t("Hand raised")}</span>
                  </span>
                )}
                {p.audioMuted ? (
                  <span class="muted-mic" title={t("Microphone muted")}>
                    <MicIcon off />
                    <span class="sr-only">{t("Microphone muted")}</span>
                  </span>
                ) : null}
              </span>
              {hostToken && !isSelf && (
                <span class="person-actions">
                  <button
                    type="button"
                    class="small"
                    disabled={busy || p.audioMuted}
                    aria-label={t("Mute {name}", { name: p.name })}
                    onClick={() =>
                      void act(async () => {
                        await muteParticipant(hostToken, p.id);
                        announce(t("{name} was muted", { name: p.name }));
                      })
                    }
                  >
                    {t("Mute")}
                  </button>
                  <button type="button" class="small danger" aria-label={t("Remove {name}", { name: p.name })} onClick={() => setRemoving(p)}>
                    {t("Remove")}
                  </button>
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {removing && hostToken && <RemoveDialog token={hostToken} id={removing.id} name={removing.name} onClose={() => setRemoving(null)} />}
    </div>
  );
}
