// The REST API of docs/api.md. Every call is same-origin and carries the
// session cookie; errors become ApiError with words a person can read.

/** An account. */
export interface User {
  id: string;
  displayName: string;
  email: string;
}

/** A person with only a display name, bound to one room. */
export interface Guest {
  id: string;
  displayName: string;
  roomToken: string;
}

/** A room as the REST API describes it. */
export interface Room {
  token: string;
  url: string;
  name: string;
  theme: string;
  host: { id: string; displayName: string };
  isHost: boolean;
  participantCount: number;
  locked: boolean;
  ended: boolean;
}

/** Who this browser is: an account, a guest, or nobody. */
export interface Me {
  user: User | null;
  guest: Guest | null;
}

/** A refused or failed request: `status` 0 means the server was not reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

// Plain words for the cases where the server's own message is missing.
function fallbackMessage(status: number): string {
  if (status === 0) return "Can't reach the server. Check your connection and try again.";
  if (status === 401) return "Please sign in first.";
  if (status === 403) return "You're not allowed to do that.";
  if (status === 404) return "Not found.";
  if (status === 410) return "This room has ended.";
  if (status === 429) return "Too many attempts. Please wait a moment and try again.";
  if (status >= 500) return "The server had a problem. Please try again.";
  return "Something went wrong. Please try again.";
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", fallbackMessage(0));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const code = typeof err?.code === "string" ? err.code : String(res.status);
    const message = typeof err?.message === "string" && err.message ? err.message : fallbackMessage(res.status);
    throw new ApiError(res.status, code, message);
  }
  return data as T;
}

/** GET /api/me: who this browser is signed in as. */
export async function getMe(): Promise<Me> {
  const me = await request<Partial<Me> | null>("GET", "/api/me");
  return { user: me?.user ?? null, guest: me?.guest ?? null };
}

/** POST /api/auth/signup: creates an account and signs it in. */
export async function signUp(displayName: string, email: string, password: string): Promise<User> {
  const r = await request<{ user: User }>("POST", "/api/auth/signup", { displayName, email, password });
  return r.user;
}

/** POST /api/auth/signin. */
export async function signIn(email: string, password: string): Promise<User> {
  const r = await request<{ user: User }>("POST", "/api/auth/signin", { email, password });
  return r.user;
}

/** POST /api/auth/signout. */
export async function signOut(): Promise<void> {
  await request<void>("POST", "/api/auth/signout");
}

/** POST /api/rooms: a new room hosted by the signed-in account. */
export async function createRoom(name: string): Promise<Room> {
  const body = name ? { name } : {};
  const r = await request<{ room: Room }>("POST", "/api/rooms", body);
  return r.room;
}

/** GET /api/rooms: the rooms the signed-in account hosts. */
export async function listRooms(): Promise<Room[]> {
  const r = await request<{ rooms: Room[] | null }>("GET", "/api/rooms");
  return r.rooms ?? [];
}

/** GET /api/rooms/{token}: 404 when unknown, 410 when ended. */
export async function getRoom(token: string): Promise<Room> {
  const r = await request<{ room: Room }>("GET", `/api/rooms/${encodeURIComponent(token)}`);
  return r.room;
}

/** POST /api/rooms/{token}/guest: a guest session bound to this room. */
export async function joinAsGuest(token: string, displayName: string): Promise<Guest> {
  const r = await request<{ guest: Guest }>("POST", `/api/rooms/${encodeURIComponent(token)}/guest`, { displayName });
  return r.guest;
}

/** The link people share: always on the origin this page was loaded from. */
export function roomLink(token: string): string {
  return new URL(`/r/${token}`, window.location.origin).href;
}

/** A room's name for people, even when the host gave it none. */
export function roomTitle(room: { name: string; host?: { displayName: string } }): string {
  if (room.name.trim()) return room.name;
  if (room.host?.displayName) return `${room.host.displayName}'s room`;
  return "Video room";
}
