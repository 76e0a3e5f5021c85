-- Room rules and the social graph: avatars, room kinds and settings, lock
-- reasons, idle expiry, bars, friends, blocks, groups, events and reports.
-- Same conventions as 0001: TEXT ids, INTEGER unix milliseconds, BOOLEAN
-- flags, and SQL that PostgreSQL also accepts. Existing tables only gain
-- columns (ALTER TABLE ADD COLUMN): rebuilding one would mean dropping it,
-- which with foreign keys on deletes the rows that reference it.

ALTER TABLE users ADD COLUMN avatar TEXT NOT NULL DEFAULT '';
-- display_name_norm is the display name lowercased in Go (strings.ToLower,
-- which folds all of Unicode); SearchUsers matches prefixes against it.
-- Rows older than this migration get SQL's lower(), which folds ASCII only,
-- until their next profile update.
ALTER TABLE users ADD COLUMN display_name_norm TEXT NOT NULL DEFAULT '';
UPDATE users SET display_name_norm = lower(display_name);

CREATE INDEX users_display_name_norm ON users (display_name_norm);

-- Groups outlive their creator: created_by is cleared, not cascaded.
CREATE TABLE groups (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE group_members (
	group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
	user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	admin    BOOLEAN NOT NULL DEFAULT FALSE,
	added_at INTEGER NOT NULL,
	PRIMARY KEY (group_id, user_id)
);

-- GroupsOf: the groups of one person.
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE events (
	id         TEXT PRIMARY KEY,
	host_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	title      TEXT NOT NULL,
	starts_at  INTEGER NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE INDEX events_host ON events (host_id, starts_at);

CREATE TABLE event_guests (
	event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	PRIMARY KEY (event_id, user_id)
);

-- EventsOf: the events one person is invited to.
CREATE INDEX event_guests_user ON event_guests (user_id);

-- A room of a group or an event goes with it: without its group or event
-- it has no audience left. A column added with REFERENCES must default to
-- NULL.
ALTER TABLE rooms ADD COLUMN kind TEXT NOT NULL DEFAULT 'standalone';
ALTER TABLE rooms ADD COLUMN group_id TEXT REFERENCES groups (id) ON DELETE CASCADE;
ALTER TABLE rooms ADD COLUMN event_id TEXT REFERENCES events (id) ON DELETE CASCADE;
ALTER TABLE rooms ADD COLUMN visibility TEXT NOT NULL DEFAULT 'friends';
ALTER TABLE rooms ADD COLUMN join_policy TEXT NOT NULL DEFAULT 'anyone';
ALTER TABLE rooms ADD COLUMN link_sharing BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE rooms ADD COLUMN lock_reason TEXT NOT NULL DEFAULT '';
-- active_at is NULL until someone has been in the call.
ALTER TABLE rooms ADD COLUMN active_at INTEGER;

-- Rooms locked before lock reasons existed were locked by their host.
UPDATE rooms SET lock_reason = 'host' WHERE locked;

CREATE INDEX rooms_group ON rooms (group_id);
CREATE INDEX rooms_event ON rooms (event_id);
-- IdleRooms: open rooms by the last time anyone was in them.
CREATE INDEX rooms_idle ON rooms ((COALESCE(active_at, created_at))) WHERE ended_at IS NULL;

-- A bar keeps one account or one guest out of one room. NULLs are distinct
-- in UNIQUE constraints, so each constraint only binds its own kind.
CREATE TABLE room_bars (
	room_id      TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
	user_id      TEXT REFERENCES users (id) ON DELETE CASCADE,
	guest_id     TEXT REFERENCES guests (id) ON DELETE CASCADE,
	display_name TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	UNIQUE (room_id, user_id),
	UNIQUE (room_id, guest_id),
	CHECK ((user_id IS NULL AND guest_id IS NOT NULL)
		OR (user_id IS NOT NULL AND guest_id IS NULL))
);

-- A friendship starts as a request from from_id to to_id and becomes one
-- when accepted_at is set. One row per pair of people, whichever asked:
-- the unique index on the ordered pair refuses a second row the other way.
CREATE TABLE friendships (
	from_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	to_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at  INTEGER NOT NULL,
	accepted_at INTEGER,
	PRIMARY KEY (from_id, to_id),
	CHECK (from_id <> to_id)
);

CREATE UNIQUE INDEX friendships_pair ON friendships (
	(CASE WHEN from_id < to_id THEN from_id ELSE to_id END),
	(CASE WHEN from_id < to_id THEN to_id ELSE from_id END)
);
CREATE INDEX friendships_to ON friendships (to_id);

CREATE TABLE blocks (
	blocker_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	blocked_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (blocker_id, blocked_id),
	CHECK (blocker_id <> blocked_id)
);

-- BlockBetween looks blocks up from both ends.
CREATE INDEX blocks_blocked ON blocks (blocked_id);

-- A report keeps a copy of the room's name and of who was inside (inside:
-- a JSON array of rooms.ReportedPerson), so it stays readable for the
-- moderators after the room, the reporter or a guest is gone.
CREATE TABLE reports (
	id             TEXT PRIMARY KEY,
	room_id        TEXT REFERENCES rooms (id) ON DELETE SET NULL,
	room_name      TEXT NOT NULL,
	reason         TEXT NOT NULL,
	reporter_user  TEXT REFERENCES users (id) ON DELETE SET NULL,
	reporter_guest TEXT REFERENCES guests (id) ON DELETE SET NULL,
	reporter_name  TEXT NOT NULL,
	inside         TEXT NOT NULL DEFAULT '[]',
	created_at     INTEGER NOT NULL,
	resolved_at    INTEGER,
	CHECK (reporter_user IS NULL OR reporter_guest IS NULL)
);

CREATE INDEX reports_created ON reports (created_at);
CREATE INDEX reports_open ON reports (created_at) WHERE resolved_at IS NULL;
CREATE INDEX reports_room ON reports (room_id);
