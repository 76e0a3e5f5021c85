// Switching the microphone, camera or speaker in the middle of a call.

import { useState } from "preact/hooks";
import type { CallSession } from "../rtc/session";
import { t } from "../i18n";
import { Dialog, ErrorLine } from "./common";
import { saveDevice, useDevices, useMicLevel } from "./devices";
import { DevicePickers, SpeakerPicker } from "./DevicePickers";
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
      <DevicePickers devices={devices} stream={stream} level={level} pick={(kind, id) => void pick(kind, id)} />
      <SpeakerPicker devices={devices} />
      <ErrorLine error={error} />
      <div class="row end">
        <button type="button" class="primary" autofocus onClick={onClose}>
          {t("Close")}
        </button>
      </div>
    </Dialog>
  );
}
