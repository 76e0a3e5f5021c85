import { LANGS, lang, setLang, t, type Lang } from "../i18n";

/** The language picker: English, Deutsch, Français. */
export function LangSwitch() {
  return (
    <label class="lang-switch">
      <span class="sr-only">{t("Language")}</span>
      <span aria-hidden="true">🌐</span>
      <select value={lang()} onChange={(e) => setLang(e.currentTarget.value as Lang)} aria-label={t("Language")}>
        {LANGS.map((l) => (
          <option key={l.id} value={l.id} lang={l.id}>
            {l.name}
          </option>
        ))}
      </select>
    </label>
  );
}
