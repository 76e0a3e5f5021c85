// The profile: display name and avatar emoji. Only friends see more than
// these two (the email).

import { useState } from "preact/hooks";
import type { JSX } from "preact";
import { updateMe, type Account, type User } from "../api";
import { t } from "../i18n";
import { announce } from "./announcer";
import { Avatar, ErrorLine, messageOf } from "./common";

const AVATARS = ["😀", "😎", "🤓", "🥳", "😺", "🐶", "🦊", "🐼", "🐸", "🦄", "🐙", "🌻", "🌈", "🔥", "⭐", "🍕", "☕", "🎸", "⚽", "🚀", "🎨", "📚", "🧩", "🌍"];

export function ProfileSection({ user, avatar, onSaved }: { user: User; avatar: string; onSaved: (a: Account) => void }) {
  const [name, setName] = useState(user.displayName);
  const [pick, setPick] = useState(avatar);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const submit = async (e: JSX.TargetedEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const a = await updateMe({ displayName: name.trim(), avatar: pick });
      onSaved(a);
      setSaved(true);
      announce(t("Profile saved"));
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card profile" aria-labelledby="profile-title" onSubmit={submit}>
      <h2 id="profile-title">{t("Your profile")}</h2>
      <div class="row">
        <Avatar name={name || user.displayName} emoji={pick} size="large" />
        <p class="muted">{t("People who aren't your friends see only your name and avatar.")}</p>
      </div>
      <label class="field">
        <span>{t("Display name")}</span>
        <input name="displayName" required maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <fieldset class="field">
        <legend>{t("Avatar")}</legend>
        <div class="emoji-grid">
          <label class={pick === "" ? "emoji-choice selected" : "emoji-choice"}>
            <input type="radio" name="avatar" value="" checked={pick === ""} onChange={() => setPick("")} />
            <span aria-hidden="true">Aa</span>
            <span class="sr-only">{t("Initials")}</span>
          </label>
          {AVATARS.map((a) => (
            <label key={a} class={pick === a ? "emoji-choice selected" : "emoji-choice"}>
              <input type="radio" name="avatar" value={a} checked={pick === a} onChange={() => setPick(a)} aria-label={a} />
              <span aria-hidden="true">{a}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <p class="muted small">
        {t("Email")}: {user.email}
      </p>
      <ErrorLine error={error} />
      {saved && <p role="status">{t("Saved.")}</p>}
      <button type="submit" class="primary" disabled={busy}>
        {t("Save")}
      </button>
    </form>
  );
}
