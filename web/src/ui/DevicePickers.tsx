// The microphone and camera choices with the microphone's level: the same
// on the join page and in the call's Devices dialog.

import { t } from "../i18n";
import { currentDevice, type DeviceLists } from "./devices";

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
