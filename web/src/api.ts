// The REST API of docs/api.md and the OpenAPI document
// (internal/httpapi/openapi). Every call is same-origin and carries the
// session cookie; errors become ApiError with words a person can read.

import { t } from "./i18n";
import type { JoinPolicy, LockReason, RoomKind, Visibility } from "./protocol";

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
  /** The room the guest is for (Room.id). */
  roomId: string;
  /** Left out while the room's link sharing is off. */
  roomToken?: string;
}

/** A room as the REST API describes it. */
export interface Room {
  id: string;
  /** Left out for everyone but the host while link sharing is off. */
  token?: string;
  url?: string;
  name: string;
  theme: string;
  kind: RoomKind;
  groupId?: string;
  eventId?: string;
  visibility: Visibility;
  joinPolicy: JoinPolicy;
  linkSharing: boolean;
  host: { id: string; displayName: string; avatar?: string };
  isHost: boolean;
  participantCount: number;
  locked: boolean;
  lockReason?: LockReason;
  ended: boolean;
  /** Only from getRoom and getDropInRoom: whether we may join now (the join itself still decides). */
  join?: JoinVerdict;
}

/** Whether the person asking may join a room now, and if not, why. */
export interface JoinVerdict {
  allowed: boolean;
  code?: "removed" | "forbidden" | "unauthorized" | "room_locked" | "room_full";
  message?: string;
}

/** How a person relates to me. */
export type FriendState = "none" | "friends" | "requested" | "incoming";

/** What I see of another person: the email only for friends. */
export interface Profile {
  id: string;
  displayName: string;
  /** One emoji, or empty (show initials). */
  avatar: string;
  friendState: FriendState;
  email?: string;
}

/** My own account with its avatar. */
export interface Account {
  id: string;
  displayName: string;
  email: string;
  avatar: string;
}

export interface GroupMember {
  profile: Profile;
  admin: boolean;
}

export interface Group {
  id: string;
  name: string;
  createdBy: string;
  isAdmin: boolean;
  members?: GroupMember[];
}

export interface RoomsEvent {
  id: string;
  title: string;
  startsAt: string;
  host: Profile;
  isHost: boolean;
  guests?: Profile[];
}

/** An active room I may drop into. */
export interface DropInRoom {
  id: string;
  /** Only while link sharing is on. */
  token?: string;
  name: string;
  theme: string;
  kind: RoomKind;
  host: { id: string; displayName: string; avatar?: string };
  /** The group's name or the event's title, for rooms of a group or event we belong to. */
  contextName?: string;
  /** Friends inside, by name; never us. */
  friends: string[];
  /** Everyone else inside, as a count; never us. */
  others: number;
  /** Everyone inside, us included. */
  count: number;
  /** We are in the call already (another tab or device). */
  selfInside?: boolean;
}

/** Someone in a call or its waiting screen, as the host sees them. */
export interface Presence {
  participantId: string;
  displayName: string;
  guest: boolean;
  host: boolean;
  waiting: boolean;
}

/** Someone the host removed, who can't come back until let. */
export interface Bar {
  userId?: string;
  guestId?: string;
  displayName: string;
  createdAt: string;
}

/** A report, as moderators see it. */
export interface Report {
  id: string;
  roomId: string;
  roomName: string;
  roomEnded: boolean;
  reason: string;
  reporterName: string;
  reporterUserId?: string;
  inside: { userId?: string; guestId?: string; displayName: string; host: boolean }[];
  createdAt: string;
  resolved: boolean;
}

/** The settings a host picks when creating or changing a room. */
export interface RoomSettings {
  name?: string;
  theme?: string;
  visibility?: Visibility;
  joinPolicy?: JoinPolicy;
  linkSharing?: boolean;
}

/** Where a new room lives. */
export type RoomContext = { kind: "standalone" } | { kind: "group"; groupId: string } | { kind: "event"; eventId: string };

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
export async function createRoom(settings: RoomSettings, context: RoomContext = { kind: "standalone" }): Promise<Room> {
  const body: Record<string, unknown> = { ...settings, kind: context.kind };
  if (context.kind === "group") body.groupId = context.groupId;
  if (context.kind === "event") body.eventId = context.eventId;
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

const roomPath = (token: string) => `/api/rooms/${encodeURIComponent(token)}`;
const idPath = (id: string) => encodeURIComponent(id);

/** PATCH /api/rooms/{token}: the host changes settings; the call is told. */
export async function updateRoom(token: string, settings: RoomSettings): Promise<Room> {
  return (await request<{ room: Room }>("PATCH", roomPath(token), settings)).room;
}

/** POST /api/rooms/{token}/lock or /unlock (host only). */
export async function setRoomLocked(token: string, locked: boolean): Promise<Room> {
  return (await request<{ room: Room }>("POST", `${roomPath(token)}/${locked ? "lock" : "unlock"}`)).room;
}

/** POST /api/rooms/{token}/end: ends the room for everyone, for good. */
export async function endRoom(token: string): Promise<Room> {
  return (await request<{ room: Room }>("POST", `${roomPath(token)}/end`)).room;
}

/** GET /api/rooms/{token}/participants (host only): who is in, and who waits. */
export async function listParticipants(token: string): Promise<Presence[]> {
  return (await request<{ participants: Presence[] | null }>("GET", `${roomPath(token)}/participants`)).participants ?? [];
}

/** POST /api/rooms/{token}/participants/{id}/remove: removes and bars someone; the room locks. */
export async function removeParticipant(token: string, participantId: string): Promise<Room> {
  return (await request<{ room: Room }>("POST", `${roomPath(token)}/participants/${idPath(participantId)}/remove`)).room;
}

/** POST /api/rooms/{token}/participants/{id}/mute: mutes someone's microphone. */
export async function muteParticipant(token: string, participantId: string): Promise<void> {
  await request<void>("POST", `${roomPath(token)}/participants/${idPath(participantId)}/mute`);
}

/** GET /api/rooms/{token}/bars: the people removed from the room. */
export async function listBars(token: string): Promise<Bar[]> {
  return (await request<{ bars: Bar[] | null }>("GET", `${roomPath(token)}/bars`)).bars ?? [];
}

/** POST /api/rooms/{token}/bars/lift: lets a removed person back. */
export async function liftBar(token: string, bar: Pick<Bar, "userId" | "guestId">): Promise<void> {
  await request<void>("POST", `${roomPath(token)}/bars/lift`, bar.userId ? { userId: bar.userId } : { guestId: bar.guestId });
}

/** POST /api/rooms/{token}/report: tells the moderators; the host is not told who. */
export async function reportRoom(token: string, reason: string): Promise<void> {
  await request<unknown>("POST", `${roomPath(token)}/report`, { reason });
}

/** POST /api/dropin/{id}/report: the same, for a room joined by drop-in without its link. */
export async function reportDropInRoom(id: string, reason: string): Promise<void> {
  await request<unknown>("POST", `/api/dropin/${idPath(id)}/report`, { reason });
}

/** GET /api/dropin: the active rooms I may drop into. */
export async function listDropIn(): Promise<DropInRoom[]> {
  return (await request<{ rooms: DropInRoom[] | null }>("GET", "/api/dropin")).rooms ?? [];
}

/** GET /api/dropin/{id}: a room I may drop into, without its link. */
export async function getDropInRoom(id: string): Promise<Room> {
  return (await request<{ room: Room }>("GET", `/api/dropin/${idPath(id)}`)).room;
}

/** The live drop-in list (server-sent events); answers a function that stops it. */
export function watchDropIn(onRooms: (rooms: DropInRoom[]) => void, onError?: () => void): () => void {
  const es = new EventSource("/api/dropin/stream");
  es.addEventListener("dropin", (ev) => {
    try {
      const data = JSON.parse((ev as MessageEvent<string>).data) as { rooms?: DropInRoom[] | null };
      onRooms(data.rooms ?? []);
    } catch {
      // A malformed event is skipped; the next one replaces the list anyway.
    }
  });
  es.onerror = () => onError?.();
  return () => es.close();
}

// --- People -----------------------------------------------------------------

/** PATCH /api/me: my display name and avatar. */
export async function updateMe(change: { displayName?: string; avatar?: string }): Promise<Account> {
  return (await request<{ user: Account }>("PATCH", "/api/me", change)).user;
}

/** GET /api/users/{id}: a person's profile (mine too, with my avatar). */
export async function getUser(id: string): Promise<Profile> {
  return (await request<{ user: Profile }>("GET", `/api/users/${idPath(id)}`)).user;
}

/** GET /api/users?q=: people by email or the start of their name (3+ characters). */
export async function searchUsers(q: string): Promise<Profile[]> {
  return (await request<{ users: Profile[] | null }>("GET", `/api/users?q=${encodeURIComponent(q)}`)).users ?? [];
}

export interface FriendLists {
  friends: Profile[];
  incoming: Profile[];
  outgoing: Profile[];
}

/** GET /api/friends: friends, and requests either way. */
export async function listFriends(): Promise<FriendLists> {
  const r = await request<Partial<FriendLists>>("GET", "/api/friends");
  return { friends: r.friends ?? [], incoming: r.incoming ?? [], outgoing: r.outgoing ?? [] };
}

/** POST /api/friends: asks someone (or accepts their request). */
export async function requestFriend(userId: string): Promise<FriendState> {
  return (await request<{ state: FriendState }>("POST", "/api/friends", { userId })).state;
}

export async function acceptFriend(id: string): Promise<void> {
  await request<void>("POST", `/api/friends/${idPath(id)}/accept`);
}

export async function declineFriend(id: string): Promise<void> {
  await request<void>("POST", `/api/friends/${idPath(id)}/decline`);
}

/** DELETE /api/friends/{id}: unfriends, or cancels a request. */
export async function removeFriend(id: string): Promise<void> {
  await request<void>("DELETE", `/api/friends/${idPath(id)}`);
}

export async function listBlocks(): Promise<Profile[]> {
  return (await request<{ blocked: Profile[] | null }>("GET", "/api/blocks")).blocked ?? [];
}

export async function block(userId: string): Promise<void> {
  await request<void>("POST", "/api/blocks", { userId });
}

export async function unblock(id: string): Promise<void> {
  await request<void>("DELETE", `/api/blocks/${idPath(id)}`);
}

// --- Groups and events ---------------------------------------------------------

export async function createGroup(name: string): Promise<Group> {
  return (await request<{ group: Group }>("POST", "/api/groups", { name })).group;
}

export async function listGroups(): Promise<Group[]> {
  return (await request<{ groups: Group[] | null }>("GET", "/api/groups")).groups ?? [];
}

export async function getGroup(id: string): Promise<Group> {
  return (await request<{ group: Group }>("GET", `/api/groups/${idPath(id)}`)).group;
}

export async function addGroupMember(groupId: string, userId: string, admin = false): Promise<GroupMember> {
  return (await request<{ member: GroupMember }>("POST", `/api/groups/${idPath(groupId)}/members`, { userId, admin })).member;
}

export async function removeGroupMember(groupId: string, userId: string): Promise<void> {
  await request<void>("DELETE", `/api/groups/${idPath(groupId)}/members/${idPath(userId)}`);
}

export async function makeGroupAdmin(groupId: string, userId: string): Promise<GroupMember> {
  return (await request<{ member: GroupMember }>("POST", `/api/groups/${idPath(groupId)}/admins`, { userId })).member;
}

/** DELETE /api/groups/{id}/admins/{userId}: an admin becomes a member again (never the last admin). */
export async function removeGroupAdmin(groupId: string, userId: string): Promise<GroupMember> {
  return (await request<{ member: GroupMember }>("DELETE", `/api/groups/${idPath(groupId)}/admins/${idPath(userId)}`)).member;
}

export async function createEvent(title: string, startsAt: Date, guests: string[]): Promise<RoomsEvent> {
  return (await request<{ event: RoomsEvent }>("POST", "/api/events", { title, startsAt: startsAt.toISOString(), guests })).event;
}

export async function listEvents(): Promise<RoomsEvent[]> {
  return (await request<{ events: RoomsEvent[] | null }>("GET", "/api/events")).events ?? [];
}

export async function getEvent(id: string): Promise<RoomsEvent> {
  return (await request<{ event: RoomsEvent }>("GET", `/api/events/${idPath(id)}`)).event;
}

export async function inviteToEvent(eventId: string, userId: string): Promise<Profile> {
  return (await request<{ guest: Profile }>("POST", `/api/events/${idPath(eventId)}/guests`, { userId })).guest;
}

export async function uninviteFromEvent(eventId: string, userId: string): Promise<void> {
  await request<void>("DELETE", `/api/events/${idPath(eventId)}/guests/${idPath(userId)}`);
}

// --- Moderation -------------------------------------------------------------------

/** GET /api/mod/reports: 403 for everyone but moderators. */
export async function listReports(all = false): Promise<Report[]> {
  return (await request<{ reports: Report[] | null }>("GET", `/api/mod/reports${all ? "?all=true" : ""}`)).reports ?? [];
}

export async function resolveReport(id: string): Promise<void> {
  await request<void>("POST", `/api/mod/reports/${idPath(id)}/resolve`);
}

export async function modEndRoom(roomId: string): Promise<void> {
  await request<void>("POST", `/api/mod/rooms/${idPath(roomId)}/end`);
}

export async function setSuspended(userId: string, suspended: boolean): Promise<void> {
  await request<void>("POST", `/api/mod/users/${idPath(userId)}/${suspended ? "suspend" : "unsuspend"}`);
}

/** The link people share: always on the origin this page was loaded from. */
export function roomLink(token: string): string {
  return new URL(`/r/${token}`, window.location.origin).href;
}

/**
 * A room's name for people, even when the host gave it none: an unnamed
 * group room is called by its group's name when the room data carries it
 * (the REST API doesn't yet), any other after its host, in the language
 * in use.
 */
export function roomTitle(room: { name: string; groupName?: string; host?: { displayName: string } }): string {
  if (room.name.trim()) return room.name;
  if (room.groupName?.trim()) return room.groupName;
  if (room.host?.displayName) return t("{name}'s room", { name: room.host.displayName });
  return t("Video room");
}
