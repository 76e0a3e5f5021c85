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
}

/** The room, as the signalling layer describes it in `joined`. */
export interface SignalRoom {
  token: string;
  name: string;
  theme: string;
}

/** Which of the two peer connections a candidate belongs to. */
export type PCName = "pub" | "sub";

// Client → server.

export interface JoinMessage {
  type: "join";
  muted?: { audio: boolean; video: boolean };
}
export interface PubOfferMessage {
  type: "pubOffer";
  sdp: string;
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

export type ClientMessage =
  | JoinMessage
  | PubOfferMessage
  | SubAnswerMessage
  | CandidateMessage
  | MuteMessage
  | LeaveMessage;

// Server → client.

export interface JoinedMessage {
  type: "joined";
  self: Participant;
  participants: Participant[];
  room: SignalRoom;
  iceServers: RTCIceServer[];
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
}
export interface TrackUnpublishedMessage {
  type: "trackUnpublished";
  participant: string;
  trackId: string;
}
export interface ErrorMessage {
  type: "error";
  code: ErrorCode;
  message: string;
  fatal: boolean;
}

export type ServerMessage =
  | JoinedMessage
  | PubAnswerMessage
  | SubOfferMessage
  | CandidateMessage
  | ParticipantJoinedMessage
  | ParticipantLeftMessage
  | ParticipantUpdatedMessage
  | TrackPublishedMessage
  | TrackUnpublishedMessage
  | ErrorMessage;

/** The error codes of docs/protocol.md; unknown ones are kept as strings. */
export type ErrorCode =
  | "bad_message"
  | "out_of_order"
  | "too_large"
  | "rate_limited"
  | "negotiation_failed"
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

// One shape check per server message type: a message that fails its check is
// dropped (and logged) rather than half-applied.
const checks: Record<ServerMessage["type"], Check> = {
  joined: (m) =>
    isParticipant(m.self) &&
    Array.isArray(m.participants) &&
    m.participants.every(isParticipant) &&
    isObject(m.room) &&
    isString(m.room.token) &&
    (m.iceServers === undefined || m.iceServers === null || Array.isArray(m.iceServers)),
  pubAnswer: (m) => isString(m.sdp),
  subOffer: (m) => isString(m.sdp),
  candidate: (m) => (m.pc === "pub" || m.pc === "sub") && isObject(m.candidate),
  participantJoined: (m) => isParticipant(m.participant),
  participantLeft: (m) => isString(m.id),
  participantUpdated: (m) => isParticipant(m.participant),
  trackPublished: (m) => isString(m.participant) && (m.kind === "audio" || m.kind === "video"),
  trackUnpublished: (m) => isString(m.participant),
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
  if (m.type === "joined") {
    // A server without STUN/TURN configured may send null or omit the list.
    m.iceServers = Array.isArray(m.iceServers) ? m.iceServers : [];
    const room = m.room as Record<string, unknown>;
    room.name = isString(room.name) ? room.name : "";
    room.theme = isString(room.theme) ? room.theme : "";
  }
  if (m.type === "error") {
    m.code = isString(m.code) ? m.code : "internal";
    m.message = isString(m.message) ? m.message : "Something went wrong.";
    m.fatal = m.fatal === true;
  }
  return m as unknown as ServerMessage;
}
