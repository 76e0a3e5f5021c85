// Switching the microphone or camera in the middle of a call.

import { useState } from "preact/hooks";
import type { CallSession } from "../rtc/session";
import { t } from "../i18n";
import { Dialog, ErrorLine } from "./common";
import { currentDevice, saveDevice, useDevices, useMicLevel } from "./devices";
import { effects } from "./effects";

export function DevicesDialog({ session, onClose }: { session: CallSession; onClose: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const devices = useDevices(version);
  const stream = session.localStream;
  const level = useMicLevel(stream, `${version}`);

  const pick = async (kind: "audio" | "video", id: string) => {
    setError(null);
    // A new camera starts without effects; the old one is let go.
    if (kind === "video" && effects.source) {
      const raw = effects.stop();
      raw?.stop();
    }
    const problem = await session.switchDevice(kind, id);
    if (problem) setError(t(problem));
    else saveDevice(kind, id);
    setVersion((v) => v + 1);
  };

  return (
    <Dialog title={t("Devices")} onClose={onClose}>
      <label class="field">
        <span>{t("Microphone")}</span>
        <select value={currentDevice(stream, "audio")} onChange={(e) => void pick("audio", e.currentTarget.value)}>
          {devices.audio.map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.label || t("Microphone {n}", { n: i + 1 })}
            </option>
          ))}
        </select>
      </label>
      <div class="meter" role="meter" aria-label={t("Microphone level")} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(level * 100)}>
        <span style={{ width: `${Math.round(level * 100)}%` }} />
      </div>
      <label class="field">
        <span>{t("Camera")}</span>
        <select value={currentDevice(stream, "video")} onChange={(e) => void pick("video", e.currentTarget.value)}>
          {devices.video.map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.label || t("Camera {n}", { n: i + 1 })}
            </option>
          ))}
        </select>
      </label>
      <ErrorLine error={error} />
      <div class="row end">
        <button type="button" class="primary" autofocus onClick={onClose}>
          {t("Close")}
        </button>
      </div>
    </Dialog>
  );
}
