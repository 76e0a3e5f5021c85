// The room's settings as form fields: name, theme, who can see it, who can
// join, link sharing. Used to create a room and, by the host, in the call.

import type { JoinPolicy, RoomKind, Visibility } from "../protocol";
import { t } from "../i18n";
import { THEMES } from "./themes";

export interface SettingsValue {
  name: string;
  theme: string;
  visibility: Visibility;
  joinPolicy: JoinPolicy;
  linkSharing: boolean;
}

/** The defaults of PRODUCT.md for each kind of room. */
export function defaultSettings(kind: RoomKind): Omit<SettingsValue, "name" | "theme"> {
  if (kind === "group") return { visibility: "group", joinPolicy: "audience", linkSharing: true };
  if (kind === "event") return { visibility: "event", joinPolicy: "audience", linkSharing: true };
  return { visibility: "friends", joinPolicy: "anyone", linkSharing: true };
}

/** Who can see a room of this kind, for the select. */
export function visibilityOptions(kind: RoomKind): { id: Visibility; label: string }[] {
  const out: { id: Visibility; label: string }[] = [
    { id: "link", label: t("Only people with the link") },
    { id: "friends", label: t("My friends") },
  ];
  if (kind === "group") out.push({ id: "group", label: t("The group's members") });
  if (kind === "event") out.push({ id: "event", label: t("The event's guests") });
  return out;
}

/** Who can join, for the select. */
export function joinPolicyOptions(kind: RoomKind): { id: JoinPolicy; label: string }[] {
  const audience = kind === "group" ? t("Only the group's members") : kind === "event" ? t("Only the event's guests") : t("Only my friends");
  return [
    { id: "anyone", label: t("Anyone with the link, guests too") },
    { id: "signed_in", label: t("Signed-in people with the link") },
    { id: "audience", label: audience },
  ];
}

interface Props {
  kind: RoomKind;
  value: SettingsValue;
  onChange: (v: SettingsValue) => void;
  /** Prefix for element ids, unique on the page. */
  idPrefix: string;
  /** Tuck who can see, who can join and link sharing under "Who can see and join". */
  collapsible?: boolean;
}

export function RoomSettingsFields({ kind, value, onChange, idPrefix, collapsible = false }: Props) {
  const set = (patch: Partial<SettingsValue>) => onChange({ ...value, ...patch });
  const access = (
    <>
      <label class="field">
          <span>{t("Who can see it")}</span>
          <select name="visibility" value={value.visibility} onChange={(e) => set({ visibility: e.currentTarget.value as Visibility })}>
            {visibilityOptions(kind).map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t("Who can join")}</span>
          <select name="joinPolicy" value={value.joinPolicy} onChange={(e) => set({ joinPolicy: e.currentTarget.value as JoinPolicy })}>
            {joinPolicyOptions(kind).map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" name="linkSharing" checked={value.linkSharing} onChange={(e) => set({ linkSharing: e.currentTarget.checked })} />
          <span>{t("Link sharing: people in the room can see and share the link")}</span>
        </label>
    </>
  );
  return (
    <>
      <label class="field">
        <span>{t("Room name")}</span>
        <input
          name="roomName"
          maxLength={100}
          placeholder={t("Optional")}
          value={value.name}
          onInput={(e) => set({ name: e.currentTarget.value })}
        />
      </label>
      <fieldset class="field themes">
        <legend>{t("Theme")}</legend>
        <div class="theme-choices">
          <label class={value.theme === "" ? "theme-choice selected" : "theme-choice"}>
            <input type="radio" name={`${idPrefix}-theme`} value="" checked={value.theme === ""} onChange={() => set({ theme: "" })} />
            <span aria-hidden="true">✨</span>
            <span>{t("None")}</span>
          </label>
          {THEMES.map((th) => (
            <label key={th.id} class={value.theme === th.id ? "theme-choice selected" : "theme-choice"}>
              <input type="radio" name={`${idPrefix}-theme`} value={th.id} checked={value.theme === th.id} onChange={() => set({ theme: th.id })} />
              <span aria-hidden="true">{th.emoji}</span>
              <span>{t(th.label)}</span>
            </label>
          ))}
        </div>
      </fieldset>
      {collapsible ? (
        <details class="more-settings">
          <summary>{t("Who can see and join")}</summary>
          {access}
        </details>
      ) : (
        access
      )}
    </>
  );
}
