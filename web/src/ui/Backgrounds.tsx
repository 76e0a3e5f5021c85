// The picker of background effects, used on the join page and in the call.

import { useState } from "preact/hooks";
import { t } from "../i18n";
import { EFFECTS, effects, type EffectId } from "./effects";
import { ErrorLine } from "./common";
import { announce } from "./announcer";

interface Props {
  /** Applies an effect; throws with plain words when it can't. */
  onPick: (id: EffectId) => Promise<void>;
  disabled?: boolean;
  /** The title is already on the page (the button that opened the picker). */
  hideLegend?: boolean;
}

export function BackgroundPicker({ onPick, disabled, hideLegend }: Props) {
  const [current, setCurrent] = useState<EffectId>(effects.effect);
  const [busy, setBusy] = useState<EffectId | null>(null);
  const [error, setError] = useState<string | null>(effects.problem);

  const pick = async (id: EffectId) => {
    const before = current;
    setBusy(id);
    setError(null);
    // Shown as chosen at once; put back if it fails.
    setCurrent(id);
    try {
      await onPick(id);
      const label = EFFECTS.find((e) => e.id === id)?.label ?? "";
      announce(id === "none" ? t("Effect off") : t("Effect on: {name}", { name: t(label) }));
    } catch (err) {
      setCurrent(before);
      setError(err instanceof Error ? err.message : t("Backgrounds aren't available in this browser."));
    } finally {
      setBusy(null);
    }
  };

  return (
    <fieldset class="backgrounds" disabled={disabled}>
      <legend class={hideLegend ? "sr-only" : undefined}>{t("Backgrounds and effects")}</legend>
      <div class="effect-choices">
        {EFFECTS.map((e) => (
          <label key={e.id} class={current === e.id ? "effect-choice selected" : "effect-choice"}>
            <input type="radio" name="effect" value={e.id} checked={current === e.id} disabled={busy !== null} onChange={() => void pick(e.id)} />
            <span class="swatch" style={{ background: e.swatch }} aria-hidden="true" />
            <span class="effect-name">{busy === e.id ? t("Loading…") : t(e.label)}</span>
          </label>
        ))}
      </div>
      <ErrorLine error={error} />
    </fieldset>
  );
}
