package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// CreateSession inserts s. Exactly one of s.UserID and s.GuestID must be
// set; an account or guest that does not exist returns ENOTFOUND.
func (db *DB) CreateSession(ctx context.Context, s *rooms.Session) error {
	if (s.UserID == "") == (s.GuestID == "") {
		return errors.New("create session: exactly one of user and guest must be set")
	}
	if len(s.TokenHash) == 0 {
		return errors.New("create session: empty token hash")
	}
	_, err := db.db.ExecContext(ctx, `INSERT INTO sessions
		(token_hash, user_id, guest_id, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`,
		s.TokenHash, nullString(string(s.UserID)), nullString(string(s.GuestID)),
		millis(s.CreatedAt), millis(s.ExpiresAt))
	switch {
	case isForeignKey(err):
		return rooms.Errorf(rooms.ENOTFOUND, "This account or guest does not exist.")
	case isUnique(err):
		return rooms.Errorf(rooms.ECONFLICT, "This session already exists.")
	case err != nil:
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionByHash returns the session whose token hashes to hash, unless it
// has expired by now (a session expires at its ExpiresAt instant).
func (db *DB) SessionByHash(ctx context.Context, hash []byte, now time.Time) (*rooms.Session, error) {
	var (
		s                rooms.Session
		user, guest      sql.NullString
		created, expires int64
	)
	err := db.db.QueryRowContext(ctx, `SELECT token_hash, user_id, guest_id, created_at, expires_at
		FROM sessions WHERE token_hash = ? AND expires_at > ?`,
		hash, millis(now)).Scan(&s.TokenHash, &user, &guest, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rooms.Errorf(rooms.ENOTFOUND, "This session does not exist or has expired.")
	} else if err != nil {
		return nil, fmt.Errorf("session by hash: %w", err)
	}
	s.UserID = rooms.UserID(user.String)
	s.GuestID = rooms.GuestID(guest.String)
	s.CreatedAt = fromMillis(created)
	s.ExpiresAt = fromMillis(expires)
	return &s, nil
}

// DeleteSession removes the session, if it exists: signing out twice is
// not an error.
func (db *DB) DeleteSession(ctx context.Context, hash []byte) error {
	if _, err := db.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions removes every session of the account, signing it out
// everywhere. An account without sessions, or unknown, is not an error.
func (db *DB) DeleteUserSessions(ctx context.Context, id rooms.UserID) error {
	if _, err := db.db.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, string(id)); err != nil {
		return fmt.Errorf("delete user sessions: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes the sessions expired by now and returns how
// many it removed. Expired sessions are never returned anyway; this only
// keeps the table small, so a daily run is plenty.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, millis(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return n, nil
}

// CreateGuest inserts g; a room that does not exist returns ENOTFOUND.
func (db *DB) CreateGuest(ctx context.Context, g *rooms.Guest) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO guests (id, room_id, display_name, created_at)
		VALUES (?, ?, ?, ?)`,
		string(g.ID), string(g.RoomID), g.DisplayName, millis(g.CreatedAt))
	switch {
	case isForeignKey(err):
		return errRoomNotFound()
	case isUnique(err):
		return rooms.Errorf(rooms.ECONFLICT, "This guest already exists.")
	case err != nil:
		return fmt.Errorf("create guest: %w", err)
	}
	return nil
}

// GuestByID returns the guest with the given id.
func (db *DB) GuestByID(ctx context.Context, id rooms.GuestID) (*rooms.Guest, error) {
	var (
		g        rooms.Guest
		gid, rid string
		created  int64
	)
	err := db.db.QueryRowContext(ctx, `SELECT id, room_id, display_name, created_at
		FROM guests WHERE id = ?`, string(id)).Scan(&gid, &rid, &g.DisplayName, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rooms.Errorf(rooms.ENOTFOUND, "This guest does not exist.")
	} else if err != nil {
		return nil, fmt.Errorf("guest by id: %w", err)
	}
	g.ID = rooms.GuestID(gid)
	g.RoomID = rooms.RoomID(rid)
	g.CreatedAt = fromMillis(created)
	return &g, nil
}
