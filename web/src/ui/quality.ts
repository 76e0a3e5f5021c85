// The connection-quality indicator: round-trip time and packet loss read
// from the peer connections' statistics every few seconds.

import { useEffect, useState } from "preact/hooks";
import type { CallSession } from "../rtc/session";

export type Quality = "good" | "fair" | "poor" | "unknown";

const POLL_MS = 3000;

interface Counters {
  lost: number;
  received: number;
}

async function sample(pcs: (RTCPeerConnection | null)[]): Promise<{ rtt: number | null; counters: Counters }> {
  let rtt: number | null = null;
  const counters = { lost: 0, received: 0 };
  for (const pc of pcs) {
    if (!pc) continue;
    const stats = await pc.getStats();
    stats.forEach((s: Record<string, unknown>) => {
      if (s.type === "candidate-pair" && s.nominated && typeof s.currentRoundTripTime === "number") {
        rtt = Math.max(rtt ?? 0, s.currentRoundTripTime);
      }
      if (s.type === "inbound-rtp") {
        counters.lost += typeof s.packetsLost === "number" ? s.packetsLost : 0;
        counters.received += typeof s.packetsReceived === "number" ? s.packetsReceived : 0;
      }
    });
  }
  return { rtt, counters };
}

/** Rates the session's connection; "unknown" until the media is up. */
export function useQuality(session: CallSession): Quality {
  const [quality, setQuality] = useState<Quality>("unknown");
  useEffect(() => {
    let last: Counters | null = null;
    let stopped = false;
    const tick = async () => {
      if (session.status !== "connected") {
        setQuality("unknown");
        return;
      }
      const { rtt, counters } = await sample([session.pubPC, session.subPC]);
      if (stopped) return;
      let loss = 0;
      if (last) {
        const lost = counters.lost - last.lost;
        const got = counters.received - last.received;
        loss = lost + got > 0 ? Math.max(0, lost) / (lost + got) : 0;
      }
      last = counters;
      const r = rtt ?? 0;
      setQuality(r < 0.25 && loss < 0.02 ? "good" : r < 0.6 && loss < 0.08 ? "fair" : "poor");
    };
    const timer = setInterval(() => void tick().catch(() => {}), POLL_MS);
    void tick().catch(() => {});
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [session]);
  return quality;
}
