import { useEffect, useState } from "preact/hooks";
import type { JSX } from "preact";
import { ApiError, createRoom, getMe, listRooms, roomLink, roomTitle, signIn, signOut, signUp, type Room, type User } from "../api";
import { announce } from "./announcer";

/** Home: sign up or in; once signed in, create rooms and list yours. */
export function HomePage() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    document.title = "Rooms";
    getMe()
      .then((me) => setUser(me.user))
      .catch((err: unknown) => {
        setLoadError(messageOf(err));
        setUser(null);
      });
  }, []);

  return (
    <main class="page home">
      <header class="brand">
        <h1>Rooms</h1>
        <p class="tagline">Video rooms you open with a link.</p>
      </header>
      {loadError && (
        <p class="notice error" role="alert">
          {loadError}
        </p>
      )}
      {user === undefined ? (
        <p class="muted">Loading…</p>
      ) : user ? (
        <Dashboard user={user} onSignedOut={() => setUser(null)} />
      ) : (
        <AuthForms onSignedIn={setUser} />
      )}
    </main>
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
      announce(`Account created. Welcome, ${user.displayName}.`);
      onSignedIn(user);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" aria-labelledby="signup-title" onSubmit={submit}>
      <h2 id="signup-title">Sign up</h2>
      <label class="field">
        <span>Display name</span>
        <input name="displayName" autocomplete="name" required maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>Email</span>
        <input name="email" type="email" autocomplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>Password</span>
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
        At least 8 characters.
      </p>
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        Sign up
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
      announce(`Welcome back, ${user.displayName}.`);
      onSignedIn(user);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? "That email and password don't match an account." : messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" aria-labelledby="signin-title" onSubmit={submit}>
      <h2 id="signin-title">Sign in</h2>
      <label class="field">
        <span>Email</span>
        <input name="email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>Password</span>
        <input
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}

function Dashboard({ user, onSignedOut }: { user: User; onSignedOut: () => void }) {
  const [rooms, setRooms] = useState<Room[] | null>(null);
  const [roomsError, setRoomsError] = useState<string | null>(null);
  const [created, setCreated] = useState<Room | null>(null);

  const refresh = () =>
    listRooms()
      .then((r) => {
        setRooms(r);
        setRoomsError(null);
      })
      .catch((err: unknown) => setRoomsError(messageOf(err)));

  useEffect(() => {
    void refresh();
  }, []);

  const doSignOut = async () => {
    try {
      await signOut();
    } catch {
      // Signed out or not, the page forgets the account.
    }
    announce("Signed out");
    onSignedOut();
  };

  return (
    <div class="dashboard">
      <div class="card signed-in">
        <p>
          Signed in as <strong>{user.displayName}</strong>
        </p>
        <button type="button" onClick={doSignOut}>
          Sign out
        </button>
      </div>
      <CreateRoomForm
        onCreated={(room) => {
          setCreated(room);
          void refresh();
        }}
      />
      {created && <CreatedRoom room={created} />}
      <section class="card" aria-labelledby="rooms-title">
        <h2 id="rooms-title">Your rooms</h2>
        {roomsError && (
          <p class="notice error" role="alert">
            {roomsError}
          </p>
        )}
        {rooms === null ? (
          !roomsError && <p class="muted">Loading…</p>
        ) : rooms.length === 0 ? (
          <p class="muted">You have no rooms yet.</p>
        ) : (
          <ul class="room-list">
            {rooms.map((r) => (
              <li key={r.token}>
                {r.ended ? <span>{roomTitle(r)}</span> : <a href={`/r/${r.token}`}>{roomTitle(r)}</a>}
                <span class="muted">
                  {r.ended ? "Ended" : `${r.participantCount} ${r.participantCount === 1 ? "person" : "people"} in the call`}
                  {r.locked && !r.ended ? " · Locked" : ""}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function CreateRoomForm({ onCreated }: { onCreated: (r: Room) => void }) {
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: JSX.TargetedEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const room = await createRoom({ name: name.trim() });
      announce(`Room created: ${roomTitle(room)}`);
      setName("");
      onCreated(room);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" aria-labelledby="create-title" onSubmit={submit}>
      <h2 id="create-title">New room</h2>
      <label class="field">
        <span>Room name</span>
        <input name="roomName" maxLength={100} placeholder="Optional" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        Create room
      </button>
    </form>
  );
}

function CreatedRoom({ room }: { room: Room }) {
  const link = roomLink(room.token ?? "");
  const [copied, setCopied] = useState(false);

  const copy = async () => {
    const ok = await copyText(link);
    setCopied(ok);
    announce(ok ? "Link copied" : "Couldn't copy the link. Select it and copy it yourself.");
  };

  return (
    <section class="card created" aria-labelledby="created-title">
      <h2 id="created-title">{roomTitle(room)} is ready</h2>
      <p class="muted">Share this link. Anyone with it can join.</p>
      <label class="field">
        <span>Room link</span>
        <input readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <div class="row">
        <button type="button" onClick={copy}>
          Copy link
        </button>
        <a class="button primary" href={`/r/${room.token}`}>
          Open room
        </a>
        {copied && <span class="muted">Copied</span>}
      </div>
    </section>
  );
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Plain http pages have no clipboard API; fall back to the old way.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

/** Plain words for any error a call to the API may throw. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return "Something went wrong. Please try again.";
}
