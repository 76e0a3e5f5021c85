// The dialogs of the call: report the room (everyone), and the host's room
// settings, end-the-room and remove-someone confirmations.

import { useState } from "preact/hooks";
import type { JSX } from "preact";
import { endRoom, removeParticipant, reportDropInRoom, reportRoom, updateRoom } from "../api";
import type { RoomKind, SignalRoom } from "../protocol";
import { t } from "../i18n";
import { announce } from "./announcer";
import { ConfirmDialog, Dialog, ErrorLine, messageOf } from "./common";
import { RoomSettingsFields, defaultSettings, type SettingsValue } from "./RoomSettingsFields";

const MAX_REASON = 500;

/**
 * Report the room to the moderators, with a reason. The host is not told who.
 * By its link when we know it, else by its id when we dropped in (a room
 * whose link sharing is off gives nobody but the host its link).
 */
export function ReportDialog({ token, dropInId, onClose }: { token: string | null; dropInId: string | null; onClose: () => void }) {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  const submit = async (e: JSX.TargetedEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!token && !dropInId) return;
    if (!reason.trim()) {
      setError(t("Please say what is wrong."));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (token) await reportRoom(token, reason.trim());
      else if (dropInId) await reportDropInRoom(dropInId, reason.trim());
      setDone(true);
      announce(t("Thanks, the moderators will look at it."));
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <Dialog title={t("Report sent")} onClose={onClose}>
        <p role="status">{t("Thanks, the moderators will look at it.")}</p>
        <div class="row end">
          <button type="button" class="primary" autofocus onClick={onClose}>
            {t("Close")}
          </button>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog title={t("Report room")} onClose={onClose}>
      {!token && !dropInId ? (
        <>
          <p>{t("This room can only be reported by people who have its link.")}</p>
          <div class="row end">
            <button type="button" autofocus onClick={onClose}>
              {t("Close")}
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit}>
          <p class="muted">{t("The moderators see the room's name and who is in it, never audio or video. The host is not told who reported it.")}</p>
          <label class="field">
            <span>{t("Reason")}</span>
            <textarea name="reason" rows={4} maxLength={MAX_REASON} required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
          <ErrorLine error={error} />
          <div class="row end">
            <button type="button" onClick={onClose}>
              {t("Cancel")}
            </button>
            <button type="submit" class="primary" disabled={busy}>
              {t("Send report")}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** The host changes the room's name, theme and who may see, join and share it. */
export function RoomSettingsDialog({ token, room, onClose }: { token: string; room: SignalRoom; onClose: () => void }) {
  const kind: RoomKind = room.kind ?? "standalone";
  const defaults = defaultSettings(kind);
  const [value, setValue] = useState<SettingsValue>({
    name: room.name,
    theme: room.theme,
    visibility: room.visibility ?? defaults.visibility,
    joinPolicy: room.joinPolicy ?? defaults.joinPolicy,
    linkSharing: room.linkSharing ?? defaults.linkSharing,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: JSX.TargetedEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await updateRoom(token, { ...value, name: value.name.trim() });
      announce(t("Room settings saved"));
      onClose();
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={t("Room settings")} onClose={onClose} wide>
      <form onSubmit={submit}>
        <RoomSettingsFields kind={kind} value={value} onChange={setValue} idPrefix="call-settings" />
        <ErrorLine error={error} />
        <div class="row end">
          <button type="button" onClick={onClose}>
            {t("Cancel")}
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {t("Save")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** "End the room for everyone?" */
export function EndRoomDialog({ token, onClose }: { token: string; onClose: () => void }) {
  return (
    <ConfirmDialog
      title={t("End the room for everyone?")}
      body={t("Everyone will be disconnected, and the room's link will not open again.")}
      confirm={t("End room")}
      danger
      onClose={onClose}
      onConfirm={async () => {
        await endRoom(token);
        onClose();
      }}
    />
  );
}

/** "Remove Bob?" — removed people can't come back, and the room locks. */
export function RemoveDialog({ token, id, name, onClose }: { token: string; id: string; name: string; onClose: () => void }) {
  return (
    <ConfirmDialog
      title={t("Remove {name}?", { name })}
      body={t("They will be disconnected and can't come back into this room. The room locks itself until you unlock it.")}
      confirm={t("Remove")}
      danger
      onClose={onClose}
      onConfirm={async () => {
        await removeParticipant(token, id);
        announce(t("{name} was removed. The room is locked.", { name }));
        onClose();
      }}
    />
  );
}
