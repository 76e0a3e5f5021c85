-- The first schema. Kept to SQL that PostgreSQL also accepts, except BLOB
-- (BYTEA there): ids are TEXT, times are INTEGER unix milliseconds, flags
-- are BOOLEAN.

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	-- email is kept as the person typed it; email_norm is its lowercase
	-- form and carries the uniqueness, so lookups are case-insensitive
	-- without relying on a collation the two databases disagree on.
	email         TEXT NOT NULL,
	email_norm    TEXT NOT NULL UNIQUE,
	display_name  TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	moderator     BOOLEAN NOT NULL DEFAULT FALSE,
	suspended     BOOLEAN NOT NULL DEFAULT FALSE,
	created_at    INTEGER NOT NULL
);

CREATE TABLE rooms (
	id         TEXT PRIMARY KEY,
	token      TEXT NOT NULL UNIQUE,
	host_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	theme      TEXT NOT NULL,
	locked     BOOLEAN NOT NULL DEFAULT FALSE,
	created_at INTEGER NOT NULL,
	ended_at   INTEGER
);

-- RoomsByHost lists a host's rooms newest first.
CREATE INDEX rooms_host_created ON rooms (host_id, created_at);

CREATE TABLE guests (
	id           TEXT PRIMARY KEY,
	room_id      TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
	display_name TEXT NOT NULL,
	created_at   INTEGER NOT NULL
);

CREATE INDEX guests_room ON guests (room_id);

-- A session belongs to exactly one account or one guest. Only the SHA-256
-- of the token is stored, so reading this table does not give live sessions.
CREATE TABLE sessions (
	token_hash BLOB PRIMARY KEY,
	user_id    TEXT REFERENCES users (id) ON DELETE CASCADE,
	guest_id   TEXT REFERENCES guests (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	CHECK ((user_id IS NULL AND guest_id IS NOT NULL)
		OR (user_id IS NOT NULL AND guest_id IS NULL))
);

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_guest ON sessions (guest_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
