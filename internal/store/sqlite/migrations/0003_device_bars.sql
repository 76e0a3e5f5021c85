-- A removal bars the browsers the removed person was in the room from,
-- not only their account or guest identity: otherwise a removed guest
-- makes a new guest, and a removed account signs out and comes back as
-- one. device_hash is the SHA-256, in hex, of the browser's long-lived
-- device cookie. Each row belongs to the person's bar (user_id or
-- guest_id), so lifting that bar frees the browser too. Same conventions
-- as 0001 and 0002, SQL that PostgreSQL also accepts.
CREATE TABLE room_device_bars (
	room_id     TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
	device_hash TEXT NOT NULL,
	user_id     TEXT REFERENCES users (id) ON DELETE CASCADE,
	guest_id    TEXT REFERENCES guests (id) ON DELETE CASCADE,
	created_at  INTEGER NOT NULL,
	UNIQUE (room_id, device_hash, user_id),
	UNIQUE (room_id, device_hash, guest_id),
	CHECK ((user_id IS NULL AND guest_id IS NOT NULL)
		OR (user_id IS NOT NULL AND guest_id IS NULL))
);

-- LiftBar deletes a person's rows; IsBarred looks a device up (the
-- unique constraints' index starts with room_id, device_hash).
CREATE INDEX room_device_bars_user ON room_device_bars (room_id, user_id);
CREATE INDEX room_device_bars_guest ON room_device_bars (room_id, guest_id);
