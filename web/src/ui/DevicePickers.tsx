// The microphone and camera choices with the microphone's level: the same
// on the join page and in the call's Devices dialog; and the speaker's.

import { t } from "../i18n";
import { canPickSpeaker, currentDevice, setSpeaker, useSpeaker, type DeviceLists } from "./devices";

interface Props {
  devices: DeviceLists;
  stream: MediaStream | null;
  /** The microphone's level, 0 to 1. */
  level: number;
  pick: (kind: "audio" | "video", id: string) => void;
  noAudio?: boolean;
  noVideo?: boolean;
}

export function DevicePickers({ devices, stream, level, pick, noAudio = false, noVideo = false }: Props) {
  const percent = Math.round(level * 100);
  return (
    <>
      <label class="field">
        <span>{t("Microphone")}</span>
        <select disabled={noAudio} value={currentDevice(stream, "audio")} onChange={(e) => pick("audio", e.currentTarget.value)}>
          {devices.audio.map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.label || t("Microphone {n}", { n: i + 1 })}
            </option>
          ))}
        </select>
      </label>
      <div class="meter" role="meter" aria-label={t("Microphone level")} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <span style={{ width: `${percent}%` }} />
      </div>
      <label class="field">
        <span>{t("Camera")}</span>
        <select disabled={noVideo} value={currentDevice(stream, "video")} onChange={(e) => pick("video", e.currentTarget.value)}>
          {devices.video.map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.label || t("Camera {n}", { n: i + 1 })}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}

/**
 * The speaker the call's sound plays on, where the browser can choose one
 * (nothing where it can't: the system's choice applies).
 */
export function SpeakerPicker({ devices }: { devices: DeviceLists }) {
  const speaker = useSpeaker();
  if (!canPickSpeaker) return null;
  const options = devices.output.length > 0 ? devices.output.map((d, i) => ({ id: d.deviceId, label: d.label || t("Speaker {n}", { n: i + 1 }) })) : [{ id: "", label: t("Default") }];
  const value = options.some((o) => o.id === speaker) ? speaker : (options[0]?.id ?? "");
  return (
    <label class="field">
      <span>{t("Speaker")}</span>
      <select value={value} onChange={(e) => setSpeaker(e.currentTarget.value)}>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
