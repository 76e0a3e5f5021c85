// The signalling messages, exactly as docs/protocol.md defines them. Every
// message is one JSON object in one WebSocket text frame, with a `type`.
// Keep this file in step with the document: it is the client's only copy.

/** A person in the call, as the server describes them. */
export interface Participant {
  id: string;
  name: string;
  guest: boolean;
  host: boolean;
  audioMuted: boolean;
  videoMuted: boolean;
  /** Whether the person has raised their hand (older servers leave it out). */
  handRaised?: boolean;
  /** Their connection dropped; the server keeps their place while they come back. */
  reconnecting?: boolean;
}

/** Where a room was created. */
export type RoomKind = "standalone" | "group" | "event";
/** Who is shown the room in their drop-in list. */
export type Visibility = "link" | "friends" | "group" | "event";
/** Who may join the room. */
export type JoinPolicy = "anyone" | "signed_in" | "audience";
/** Why a room is locked. */
/** host_was_away: locked while the host was away, and the host is back (the host is asked to unlock it). */
export type LockReason = "host" | "removal" | "host_away" | "host_was_away";

/** The room, as the signalling layer describes it (`joined`, `waiting`, `roomUpdated`). */
export interface SignalRoom {
  /** Only for the host, or while link sharing is on. */
  token?: string;
  name: string;
  theme: string;
  kind?: RoomKind;
  locked?: boolean;
  lockReason?: LockReason;
  linkSharing?: boolean;
  visibility?: Visibility;
  joinPolicy?: JoinPolicy;
}

/** Which of the two peer connections a candidate belongs to. */
export type PCName = "pub" | "sub";

// Client → server.

export interface JoinMessage {
  type: "join";
  muted?: { audio: boolean; video: boolean };
}
/** What a published track shows. */
export type TrackSource = "camera" | "microphone" | "screen" | "screen_audio";

export interface PubOfferMessage {
  type: "pubOffer";
  sdp: string;
  /** What each media section carries, by mid (camera when left out for video). */
  sources?: Record<string, TrackSource>;
}
export interface SubAnswerMessage {
  type: "subAnswer";
  sdp: string;
}
export interface CandidateMessage {
  type: "candidate";
  pc: PCName;
  candidate: RTCIceCandidateInit;
}
/** The sender's state: `true` means muted (off), as in `join.muted`. */
export interface MuteMessage {
  type: "mute";
  audio: boolean;
  video: boolean;
}
export interface LeaveMessage {
  type: "leave";
}
/**
 * The first message of a new socket after the old one dropped: take back
 * our place in the call (same participant, same connections).
 */
export interface ResumeMessage {
  type: "resume";
  participant: string;
  token: string;
}
/** Asks the server to restart ICE on the subscriber connection (a new subOffer follows). */
export interface RestartIceMessage {
  type: "restartIce";
}

/** A chat message to everyone in the call (at most 1000 characters). */
export interface ChatSendMessage {
  type: "chat";
  text: string;
}
/** A reaction, shown for a moment on the sender's tile for everyone. */
export interface ReactionSendMessage {
  type: "reaction";
  emoji: string;
}
/** Raises or lowers the sender's hand (arrives as `participantUpdated`). */
export interface HandMessage {
  type: "hand";
  raised: boolean;
}

/** What one tile wants of a participant's video (or of one track by id). */
export interface TrackSetting {
  participant?: string;
  trackId?: string;
  visible: boolean;
  /** The tile's size in device pixels; the server picks the layer to match. */
  width: number;
  height: number;
}
/** What the subscriber shows: the server forwards layers to match, and pauses hidden tiles. */
export interface TrackSettingsMessage {
  type: "trackSettings";
  tracks: TrackSetting[];
}

/** Is the socket still alive? Answered by `pong` (docs/protocol.md, "Reconnecting"). */
export interface PingMessage {
  type: "ping";
}
export interface PongMessage {
  type: "pong";
}

/** The messages that carry what people say to each other, not media. */
export type SocialMessage = ChatSendMessage | ReactionSendMessage | HandMessage;

export type ClientMessage =
  | JoinMessage
  | PubOfferMessage
  | SubAnswerMessage
  | CandidateMessage
  | MuteMessage
  | LeaveMessage
  | TrackSettingsMessage
  | RestartIceMessage
  | ResumeMessage
  | PingMessage
  | SocialMessage;

/** The longest chat message the server relays, in characters. */
export const MAX_CHAT_LENGTH = 1000;

/** The reactions everyone can send. */
export const REACTIONS = ["👍", "❤️", "😂", "🎉", "👏", "😮"] as const;

// Server → client.

/** The codecs a server may ask us to publish the camera in (`joined.videoCodec`). */
export type VideoCodec = "vp8" | "vp9" | "av1" | "h264";
export const VIDEO_CODECS: readonly VideoCodec[] = ["vp8", "vp9", "av1", "h264"];

export interface JoinedMessage {
  type: "joined";
  self: Participant;
  participants: Participant[];
  room: SignalRoom;
  iceServers: RTCIceServer[];
  /** The codec to publish the camera in when the browser can (VP8 otherwise); "vp8" from servers that don't say. */
  videoCodec: VideoCodec;
  /** Lets this client take its place back on a new socket (`resume`). */
  resumeToken?: string;
}
/** The answer to `resume`: the call as it is now; our connections carry on. */
export interface ResumedMessage extends Omit<JoinedMessage, "type" | "resumeToken"> {
  type: "resumed";
}
export interface PubAnswerMessage {
  type: "pubAnswer";
  sdp: string;
}
export interface SubOfferMessage {
  type: "subOffer";
  sdp: string;
}
export interface ParticipantJoinedMessage {
  type: "participantJoined";
  participant: Participant;
}
export interface ParticipantLeftMessage {
  type: "participantLeft";
  id: string;
}
export interface ParticipantUpdatedMessage {
  type: "participantUpdated";
  participant: Participant;
}
export interface TrackPublishedMessage {
  type: "trackPublished";
  participant: string;
  kind: "audio" | "video";
  trackId: string;
  /** What the track shows (older servers leave it out: camera or microphone). */
  source?: TrackSource | (string & {});
}
export interface TrackUnpublishedMessage {
  type: "trackUnpublished";
  participant: string;
  trackId: string;
}
/** In the waiting screen until the host arrives; `joined` follows. */
export interface WaitingMessage {
  type: "waiting";
  reason: "host" | (string & {});
  room: SignalRoom;
}
/** The room's settings or lock changed. */
export interface RoomUpdatedMessage {
  type: "roomUpdated";
  room: SignalRoom;
}
/** The host removed us; the socket closes next. */
export interface RemovedMessage {
  type: "removed";
  message: string;
}
/** The room ended for good; the socket closes next. */
export interface RoomEndedMessage {
  type: "roomEnded";
  message: string;
}
/** The host muted our microphone. */
export interface MutedByHostMessage {
  type: "mutedByHost";
  message: string;
}
/** A chat message from someone in the call (ourselves included). */
export interface ChatReceivedMessage {
  type: "chat";
  from: string;
  name: string;
  text: string;
  /** RFC 3339 time the server relayed it. */
  at: string;
}
/** A reaction from someone in the call (ourselves included). */
export interface ReactionReceivedMessage {
  type: "reaction";
  from: string;
  emoji: string;
}
/** Who speaks: the active speaker (held a moment) and everyone heard now. */
export interface SpeakersMessage {
  type: "speakers";
  active: string;
  speaking: string[];
}
/** Which simulcast layers of our track the server wants (rid names). */
export interface PublishLayersMessage {
  type: "publishLayers";
  trackId: string;
  mid: string;
  active: string[];
  /** For a VP9 SVC track: how many spatial layers anyone receives. */
  spatialLayers?: number;
}
export interface ErrorMessage {
  type: "error";
  code: ErrorCode;
  message: string;
  fatal: boolean;
}

export type ServerMessage =
  | JoinedMessage
  | ResumedMessage
  | PubAnswerMessage
  | SubOfferMessage
  | CandidateMessage
  | ParticipantJoinedMessage
  | ParticipantLeftMessage
  | ParticipantUpdatedMessage
  | TrackPublishedMessage
  | TrackUnpublishedMessage
  | WaitingMessage
  | RoomUpdatedMessage
  | RemovedMessage
  | RoomEndedMessage
  | MutedByHostMessage
  | ChatReceivedMessage
  | ReactionReceivedMessage
  | SpeakersMessage
  | PublishLayersMessage
  | PongMessage
  | ErrorMessage;

/** The error codes of docs/protocol.md; unknown ones are kept as strings. */
export type ErrorCode =
  | "bad_message"
  | "out_of_order"
  | "too_large"
  | "rate_limited"
  | "negotiation_failed"
  | "cannot_resume"
  | "not_found"
  | "room_ended"
  | "room_full"
  | "room_locked"
  | "forbidden"
  | "unauthorized"
  | "internal"
  | (string & {});

/** The WebSocket path of a room's signalling. */
export function signalPath(token: string): string {
  return `/api/rooms/${encodeURIComponent(token)}/ws`;
}

/** The WebSocket path of a drop-in (by room id, without the link). */
export function dropInSignalPath(roomId: string): string {
  return `/api/dropin/${encodeURIComponent(roomId)}/ws`;
}

type Check = (m: Record<string, unknown>) => boolean;

const isString = (v: unknown): v is string => typeof v === "string";
const isBool = (v: unknown): v is boolean => typeof v === "boolean";
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function isParticipant(v: unknown): v is Participant {
  return (
    isObject(v) &&
    isString(v.id) &&
    isString(v.name) &&
    isBool(v.guest) &&
    isBool(v.host) &&
    isBool(v.audioMuted) &&
    isBool(v.videoMuted)
  );
}

function isRoom(v: unknown): v is SignalRoom {
  return isObject(v) && (v.token === undefined || isString(v.token));
}

// One shape check per server message type: a message that fails its check is
// dropped (and logged) rather than half-applied.
const isJoined: Check = (m) =>
  isParticipant(m.self) &&
  Array.isArray(m.participants) &&
  m.participants.every(isParticipant) &&
  isRoom(m.room) &&
  (m.iceServers === undefined || m.iceServers === null || Array.isArray(m.iceServers));

const checks: Record<ServerMessage["type"], Check> = {
  joined: isJoined,
  resumed: isJoined,
  pubAnswer: (m) => isString(m.sdp),
  subOffer: (m) => isString(m.sdp),
  candidate: (m) => (m.pc === "pub" || m.pc === "sub") && isObject(m.candidate),
  participantJoined: (m) => isParticipant(m.participant),
  participantLeft: (m) => isString(m.id),
  participantUpdated: (m) => isParticipant(m.participant),
  trackPublished: (m) => isString(m.participant) && (m.kind === "audio" || m.kind === "video"),
  trackUnpublished: (m) => isString(m.participant),
  waiting: (m) => isRoom(m.room),
  roomUpdated: (m) => isRoom(m.room),
  removed: (m) => isString(m.message),
  roomEnded: (m) => isString(m.message),
  mutedByHost: (m) => isString(m.message),
  chat: (m) => isString(m.from) && isString(m.text),
  reaction: (m) => isString(m.from) && isString(m.emoji),
  speakers: (m) => isString(m.active) && Array.isArray(m.speaking) && m.speaking.every(isString),
  publishLayers: (m) => isString(m.trackId) && Array.isArray(m.active),
  pong: () => true,
  error: (m) => isString(m.code) || isString(m.message),
};

/**
 * Parses one text frame from the server. It answers null for anything that
 * is not a well-formed message of a known type.
 */
export function parseServerMessage(data: unknown): ServerMessage | null {
  if (typeof data !== "string") return null;
  let m: unknown;
  try {
    m = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isObject(m) || !isString(m.type)) return null;
  const check = (checks as Record<string, Check | undefined>)[m.type];
  if (!check || !check(m)) return null;
  if (m.type === "joined" || m.type === "resumed") {
    // A server without STUN/TURN configured may send null or omit the list.
    m.iceServers = Array.isArray(m.iceServers) ? m.iceServers : [];
    m.videoCodec = VIDEO_CODECS.includes(m.videoCodec as VideoCodec) ? m.videoCodec : "vp8";
  }
  if (isObject(m.room)) {
    const room = m.room;
    room.name = isString(room.name) ? room.name : "";
    room.theme = isString(room.theme) ? room.theme : "";
  }
  if (m.type === "chat") {
    m.name = isString(m.name) ? m.name : "";
    m.at = isString(m.at) ? m.at : new Date().toISOString();
  }
  if (m.type === "error") {
    m.code = isString(m.code) ? m.code : "internal";
    m.message = isString(m.message) ? m.message : "Something went wrong.";
    m.fatal = m.fatal === true;
  }
  return m as unknown as ServerMessage;
}
