// Home: sign up or sign in; once signed in, the sections of the app:
// rooms (create, yours, drop in), people (friends, requests, blocks),
// groups, events and the profile. The section is in the address's hash
// (#people), so it survives a reload and can be linked to.

import { useEffect, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import { ApiError, getMe, getUser, listReports, signIn, signOut, signUp, type User } from "../api";
import { t } from "../i18n";
import { announce } from "./announcer";
import { Avatar, ErrorLine, messageOf } from "./common";
import { EventsSection } from "./HomeEvents";
import { GroupsSection } from "./HomeGroups";
import { PeopleSection } from "./HomePeople";
import { ProfileSection } from "./HomeProfile";
import { RoomsSection } from "./HomeRooms";
import { LangSwitch } from "./LangSwitch";
import { ModPage } from "./ModPage";

type Section = "rooms" | "people" | "groups" | "events" | "profile" | "mod";

const SECTIONS: { id: Section; label: string }[] = [
  { id: "rooms", label: "Rooms" },
  { id: "people", label: "People" },
  { id: "groups", label: "Groups" },
  { id: "events", label: "Events" },
  { id: "profile", label: "Profile" },
];

function sectionFromHash(): Section {
  if (window.location.pathname === "/mod") return "mod";
  const h = window.location.hash.replace(/^#/, "");
  return (["rooms", "people", "groups", "events", "profile", "mod"] as const).find((s) => s === h) ?? "rooms";
}

/** Where to go after signing in: a same-site path from ?next=, or null. */
function nextPath(): string | null {
  const next = new URLSearchParams(window.location.search).get("next");
  return next && next.startsWith("/") && !next.startsWith("//") ? next : null;
}

/** Home: sign up or in; once signed in, the app's sections. */
export function HomePage() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [avatar, setAvatar] = useState("");
  const [moderator, setModerator] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [section, setSection] = useState<Section>(sectionFromHash());
  const headingRef = useRef<HTMLHeadingElement>(null);
  // Set when we signed in on this page: the form is gone, focus goes to the heading.
  const focusHeading = useRef(false);

  useEffect(() => {
    document.title = "Rooms";
    getMe()
      .then((me) => setUser(me.user))
      .catch((err: unknown) => {
        setLoadError(messageOf(err));
        setUser(null);
      });
    const onHash = () => setSection(sectionFromHash());
    window.addEventListener("hashchange", onHash);
    // The hash may have changed between the first render and now (a link
    // followed while the page loaded): that change fired no event we heard.
    onHash();
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  // The avatar and whether we are a moderator (the reports answer 200 only for them).
  useEffect(() => {
    if (!user) return;
    getUser(user.id)
      .then((p) => setAvatar(p.avatar))
      .catch(() => {});
    listReports()
      .then(() => setModerator(true))
      .catch(() => setModerator(false));
  }, [user?.id]);

  const signedIn = (u: User) => {
    const next = nextPath();
    if (next) {
      window.location.assign(next);
      return;
    }
    focusHeading.current = true;
    setUser(u);
  };

  useEffect(() => {
    if (!user || !focusHeading.current) return;
    focusHeading.current = false;
    headingRef.current?.focus();
  }, [user]);

  const doSignOut = async () => {
    try {
      await signOut();
    } catch {
      // Signed out or not, the page forgets the account.
    }
    announce(t("Signed out"));
    setUser(null);
    setModerator(false);
  };

  const go = (s: Section) => {
    window.location.hash = s;
    setSection(s);
  };

  const sections = moderator ? [...SECTIONS, { id: "mod" as const, label: "Moderation" }] : SECTIONS;
  const sectionLabel = sections.find((s) => s.id === section)?.label ?? "Rooms";

  return (
    <div class="home">
      <header class="topbar">
        <a class="brand-link" href="/">
          <span class="logo" aria-hidden="true">
            ▣
          </span>{" "}
          Rooms
        </a>
        {user && (
          <nav class="tabs" aria-label={t("Sections")}>
            {sections.map((s) => (
              <a key={s.id} href={`#${s.id}`} aria-current={section === s.id ? "page" : undefined} onClick={() => go(s.id)}>
                {t(s.label)}
              </a>
            ))}
          </nav>
        )}
        <div class="topbar-end">
          <LangSwitch />
          {user && (
            <>
              <span class="signed-in-as">
                <Avatar name={user.displayName} emoji={avatar} />
                <span class="who">{t("Signed in as {name}", { name: user.displayName })}</span>
              </span>
              <button type="button" class="small" onClick={doSignOut}>
                {t("Sign out")}
              </button>
            </>
          )}
        </div>
      </header>
      <main class="page home-main">
        {loadError && (
          <p class="notice error" role="alert">
            {loadError}
          </p>
        )}
        {user === undefined ? (
          <p class="muted">{t("Loading…")}</p>
        ) : !user ? (
          <>
            <section class="hero">
              <h1>{t("Video rooms you open with a link")}</h1>
              <p class="tagline">{t("Hang out with up to 50 people, with no time limit. Guests join with just a name.")}</p>
              {nextPath() && <p class="notice warning">{t("Sign in or sign up to join the room.")}</p>}
            </section>
            <AuthForms onSignedIn={signedIn} />
          </>
        ) : (
          <>
            {/* The page's heading is the section's name; the cards below are its h2s. */}
            <h1 class="section-title" ref={headingRef} tabIndex={-1}>
              {t(sectionLabel)}
            </h1>
            <SignedInSection section={section} moderator={moderator} user={user} avatar={avatar} setUser={setUser} setAvatar={setAvatar} />
          </>
        )}
      </main>
    </div>
  );
}

interface SectionProps {
  section: Section;
  moderator: boolean;
  user: User;
  avatar: string;
  setUser: (u: User) => void;
  setAvatar: (a: string) => void;
}

/** The signed-in home's section the tabs picked. */
function SignedInSection({ section, moderator, user, avatar, setUser, setAvatar }: SectionProps) {
  return section === "people" ? (
    <PeopleSection />
  ) : section === "groups" ? (
    <GroupsSection />
  ) : section === "events" ? (
    <EventsSection />
  ) : section === "profile" ? (
    <ProfileSection
      user={user}
      avatar={avatar}
      onSaved={(a) => {
        setUser({ ...user, displayName: a.displayName });
        setAvatar(a.avatar);
      }}
    />
  ) : section === "mod" && moderator ? (
    <ModPage />
  ) : (
    <RoomsSection />
  );
}

function AuthForms({ onSignedIn }: { onSignedIn: (u: User) => void }) {
  return (
    <div class="auth">
      <SignUpForm onSignedIn={onSignedIn} />
      <SignInForm onSignedIn={onSignedIn} />
    </div>
  );
}

function SignUpForm({ onSignedIn }: { onSignedIn: (u: User) => void }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: JSX.TargetedEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await signUp(name.trim(), email.trim(), password);
      announce(t("Account created. Welcome, {name}.", { name: user.displayName }));
      onSignedIn(user);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" aria-labelledby="signup-title" onSubmit={submit}>
      <h2 id="signup-title">{t("Sign up")}</h2>
      <label class="field">
        <span>{t("Display name")}</span>
        <input name="displayName" autocomplete="name" required maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t("Email")}</span>
        <input name="email" type="email" autocomplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t("Password")}</span>
        <input
          name="password"
          type="password"
          autocomplete="new-password"
          required
          minLength={8}
          maxLength={256}
          aria-describedby="signup-password-hint"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      <p id="signup-password-hint" class="hint">
        {t("At least 8 characters.")}
      </p>
      <ErrorLine error={error} />
      <button type="submit" class="primary" disabled={busy}>
        {t("Sign up")}
      </button>
    </form>
  );
}

function SignInForm({ onSignedIn }: { onSignedIn: (u: User) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: JSX.TargetedEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await signIn(email.trim(), password);
      announce(t("Welcome back, {name}.", { name: user.displayName }));
      onSignedIn(user);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t("That email and password don't match an account.") : messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" aria-labelledby="signin-title" onSubmit={submit}>
      <h2 id="signin-title">{t("Sign in")}</h2>
      <label class="field">
        <span>{t("Email")}</span>
        <input name="email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t("Password")}</span>
        <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <ErrorLine error={error} />
      <button type="submit" class="primary" disabled={busy}>
        {t("Sign in")}
      </button>
    </form>
  );
}

export { messageOf };
