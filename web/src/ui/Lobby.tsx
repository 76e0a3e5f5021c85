// The join page: what the room is, a preview of the camera and microphone
// with the choice of devices and a level meter, the name of a guest, Join.

import { useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import { joinAsGuest, type Guest, type Me, type Room } from "../api";
import type { LocalMedia } from "../rtc/media";
import { plural, t } from "../i18n";
import { announce } from "./announcer";
import { ErrorLine, messageOf } from "./common";
import { openDevice, saveDevice, swapTrack, useDevices, useMicLevel } from "./devices";
import { DevicePickers } from "./DevicePickers";
import { CameraIcon, MicIcon, SparkleIcon } from "./icons";
import { StreamVideo } from "./Tile";
import { themeLabel } from "./themes";
import { LangSwitch } from "./LangSwitch";
import { BackgroundPicker } from "./Backgrounds";
import { effects, type EffectId } from "./effects";

interface LobbyProps {
  /** The link token, or "" for a drop-in. */
  token: string;
  title: string;
  room: Room | null;
  me: Me;
  media: LocalMedia | null;
  audioOn: boolean;
  videoOn: boolean;
  onAudio: (on: boolean) => void;
  onVideo: (on: boolean) => void;
  onGuest: (g: Guest) => void;
  onJoin: () => Promise<void>;
}

/** The join page: the preview, the name of a guest, the toggles and Join. */
export function Lobby(props: LobbyProps) {
  const { token, title, room, me, media, audioOn, videoOn } = props;
  // Our guest identity is for this room: told by the room's id, since the
  // link is not handed out while link sharing is off.
  const ownGuest = !!me.guest && (me.guest.roomId === room?.id || me.guest.roomToken === token);
  const [name, setName] = useState(ownGuest ? (me.guest?.displayName ?? "") : "");
  const [joining, setJoining] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [deviceError, setDeviceError] = useState<string | null>(null);
  const [trackKey, setTrackKey] = useState("");
  const [showEffects, setShowEffects] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const stream = media?.stream ?? null;
  const hasAudio = !!stream?.getAudioTracks().length;
  const hasVideo = !!stream?.getVideoTracks().length;
  const devices = useDevices(media);
  const level = useMicLevel(stream, trackKey);
  const needsSignIn = !me.user && room?.joinPolicy === "signed_in";
  const path = window.location.pathname;

  const pick = async (kind: "audio" | "video", deviceId: string) => {
    if (!stream) return;
    setDeviceError(null);
    try {
      // A new camera starts without effects; the old one is let go.
      if (kind === "video") effects.stop()?.stop();
      const track = await openDevice(kind, deviceId);
      track.enabled = kind === "audio" ? audioOn : videoOn;
      swapTrack(stream, track);
      saveDevice(kind, deviceId);
      setTrackKey(stream.getTracks().map((tr) => tr.id).join(","));
    } catch {
      setDeviceError(kind === "audio" ? t("That microphone couldn't be started.") : t("That camera couldn't be started."));
    }
  };

  const applyEffect = async (id: EffectId) => {
    const camera = effects.source ?? stream?.getVideoTracks()[0];
    if (!stream || !camera) throw new Error(t("Turn your camera on first."));
    const out = await effects.apply(camera, id);
    out.enabled = videoOn;
    for (const tr of stream.getVideoTracks()) if (tr !== out) stream.removeTrack(tr);
    if (!stream.getVideoTracks().includes(out)) stream.addTrack(out);
    setTrackKey(stream.getTracks().map((tr) => tr.id).join(","));
  };

  const submit = async (e: JSX.TargetedEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    const displayName = name.trim();
    if (!me.user && !displayName) {
      setError(t("Please enter your name so others know who you are."));
      nameRef.current?.focus();
      return;
    }
    setJoining(true);
    announce(t("Joining…"));
    try {
      const sameGuest = ownGuest && me.guest?.displayName === displayName;
      if (!me.user && !sameGuest) props.onGuest(await joinAsGuest(token, displayName));
      await props.onJoin();
    } catch (err) {
      setError(messageOf(err));
      setJoining(false);
    }
  };

  const inside = room?.participantCount ?? 0;

  return (
    <main class="page lobby">
      <div class="preview-column">
        <div class="preview">
          <StreamVideo stream={stream} muted mirrored label={t("Your camera preview")} />
          {(!hasVideo || !videoOn) && (
            <div class="placeholder" aria-hidden="true">
              <span>{media === null ? t("Starting camera…") : hasVideo ? t("Camera is off") : t("No camera")}</span>
            </div>
          )}
          <div class="preview-controls">
            <button type="button" class={audioOn ? "toggle" : "toggle off"} aria-pressed={!audioOn} disabled={!hasAudio} onClick={() => props.onAudio(!audioOn)}>
              <MicIcon off={!audioOn || !hasAudio} />
              <span>{audioOn && hasAudio ? t("Mute") : t("Unmute")}</span>
            </button>
            <button type="button" class={videoOn ? "toggle" : "toggle off"} aria-pressed={!videoOn} disabled={!hasVideo} onClick={() => props.onVideo(!videoOn)}>
              <CameraIcon off={!videoOn || !hasVideo} />
              <span>{videoOn && hasVideo ? t("Turn camera off") : t("Turn camera on")}</span>
            </button>
          </div>
        </div>
        <div class="devices">
          <DevicePickers devices={devices} stream={stream} level={level} pick={(kind, id) => void pick(kind, id)} noAudio={!hasAudio} noVideo={!hasVideo} />
          <ErrorLine error={deviceError} />
        </div>
        <div class="effects-row">
          <button type="button" class="small" aria-expanded={showEffects} disabled={!hasVideo} onClick={() => setShowEffects(!showEffects)}>
            <SparkleIcon />
            {t("Backgrounds and effects")}
          </button>
        </div>
        {showEffects && <BackgroundPicker onPick={applyEffect} hideLegend />}
      </div>
      <form class="card join" onSubmit={submit} aria-labelledby="room-title">
        <p class="muted">{t("You're about to join")}</p>
        <h1 id="room-title">{title}</h1>
        {room && (
          <ul class="room-facts">
            {room.theme && <li>{themeLabel(room.theme)}</li>}
            <li>{t("Hosted by {name}", { name: room.host.displayName })}</li>
            <li data-testid="inside-count">{inside === 0 ? t("Nobody is in the call yet") : plural(inside, "1 person is inside", "{n} people are inside")}</li>
          </ul>
        )}
        {room && !room.isHost && room.participantCount === 0 && !room.locked && (
          <p class="muted">{t("The host isn't here yet. You'll wait until they arrive.")}</p>
        )}
        {room?.isHost && <p class="muted">{t("You're the host: people waiting are let in when you join.")}</p>}
        {room?.locked && !room.isHost && (
          <p class="notice warning" role="status">
            {t("This room is locked. Only the host can let people in.")}
          </p>
        )}
        {media?.problem && (
          <p class="notice warning" role="alert">
            {t(media.problem)}
          </p>
        )}
        {needsSignIn ? (
          <>
            <p>{t("Only signed-in people can join this room.")}</p>
            <a class="button primary large" href={`/?next=${encodeURIComponent(path)}`}>
              {t("Sign in to join")}
            </a>
          </>
        ) : (
          <>
            {me.user ? (
              <p>{t("You'll join as {name}.", { name: me.user.displayName })}</p>
            ) : (
              <label class="field">
                <span>{t("Your name")}</span>
                <input ref={nameRef} name="displayName" autocomplete="name" maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} />
              </label>
            )}
            <ErrorLine error={error} />
            <button type="submit" class="primary large" disabled={joining}>
              {joining ? t("Joining…") : t("Join")}
            </button>
            {!me.user && (
              <p class="muted small-print">
                {t("Have an account?")} <a href={`/?next=${encodeURIComponent(path)}`}>{t("Sign in")}</a>
              </p>
            )}
            <div class="lobby-lang">
              <LangSwitch />
            </div>
          </>
        )}
      </form>
    </main>
  );
}
