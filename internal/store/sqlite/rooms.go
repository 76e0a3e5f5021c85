package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// errRoomNotFound is returned for any lookup or update of a missing room.
func errRoomNotFound() *rooms.Error {
	return rooms.Errorf(rooms.ENOTFOUND, "This room does not exist.")
}

const roomColumns = `id, token, host_id, name, theme, locked, created_at, ended_at`

// CreateRoom inserts r. A token already in use returns ECONFLICT, so the
// caller can draw another; a host that does not exist returns ENOTFOUND.
func (db *DB) CreateRoom(ctx context.Context, r *rooms.Room) error {
	var ended any
	if r.EndedAt != nil {
		ended = millis(*r.EndedAt)
	}
	_, err := db.db.ExecContext(ctx, `INSERT INTO rooms
		(id, token, host_id, name, theme, locked, created_at, ended_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		string(r.ID), string(r.Token), string(r.HostID), r.Name, r.Theme,
		r.Locked, millis(r.CreatedAt), ended)
	switch {
	case isUnique(err):
		return rooms.Errorf(rooms.ECONFLICT, "A room with this link already exists.")
	case isForeignKey(err):
		return errUserNotFound()
	case err != nil:
		return fmt.Errorf("create room: %w", err)
	}
	return nil
}

// RoomByToken returns the room whose link carries t.
func (db *DB) RoomByToken(ctx context.Context, t rooms.Token) (*rooms.Room, error) {
	row := db.db.QueryRowContext(ctx,
		`SELECT `+roomColumns+` FROM rooms WHERE token = ?`, string(t))
	r, err := scanRoom(row)
	if err != nil {
		return nil, fmt.Errorf("room by token: %w", err)
	}
	return r, nil
}

// RoomByID returns the room with the given id.
func (db *DB) RoomByID(ctx context.Context, id rooms.RoomID) (*rooms.Room, error) {
	row := db.db.QueryRowContext(ctx,
		`SELECT `+roomColumns+` FROM rooms WHERE id = ?`, string(id))
	r, err := scanRoom(row)
	if err != nil {
		return nil, fmt.Errorf("room by id: %w", err)
	}
	return r, nil
}

// RoomsByHost lists the host's rooms, newest first, at most limit of them.
// The list is never nil, so it encodes as [] in JSON; a limit of zero or
// less gives an empty list.
func (db *DB) RoomsByHost(ctx context.Context, host rooms.UserID, limit int) ([]*rooms.Room, error) {
	list := []*rooms.Room{}
	if limit <= 0 {
		return list, nil
	}
	// id breaks ties between rooms created in the same millisecond, so the
	// order is stable from one call to the next.
	rows, err := db.db.QueryContext(ctx, `SELECT `+roomColumns+` FROM rooms
		WHERE host_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, string(host), limit)
	if err != nil {
		return nil, fmt.Errorf("rooms by host: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRoom(rows)
		if err != nil {
			return nil, fmt.Errorf("rooms by host: %w", err)
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rooms by host: %w", err)
	}
	return list, nil
}

// SetRoomLocked locks or unlocks the room.
func (db *DB) SetRoomLocked(ctx context.Context, id rooms.RoomID, locked bool) error {
	res, err := db.db.ExecContext(ctx,
		`UPDATE rooms SET locked = ? WHERE id = ?`, locked, string(id))
	if err == nil {
		err = mustAffect(res, errRoomNotFound())
	}
	if err != nil {
		return fmt.Errorf("set room locked: %w", err)
	}
	return nil
}

// EndRoom ends the room for good at the given time. Ending a room that has
// already ended succeeds and keeps the first end time.
func (db *DB) EndRoom(ctx context.Context, id rooms.RoomID, at time.Time) error {
	res, err := db.db.ExecContext(ctx,
		`UPDATE rooms SET ended_at = COALESCE(ended_at, ?) WHERE id = ?`, millis(at), string(id))
	if err == nil {
		err = mustAffect(res, errRoomNotFound())
	}
	if err != nil {
		return fmt.Errorf("end room: %w", err)
	}
	return nil
}

// scanRoom reads one row of roomColumns.
func scanRoom(row scanner) (*rooms.Room, error) {
	var (
		r               rooms.Room
		id, token, host string
		created         int64
		ended           sql.NullInt64
	)
	err := row.Scan(&id, &token, &host, &r.Name, &r.Theme, &r.Locked, &created, &ended)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errRoomNotFound()
	} else if err != nil {
		return nil, err
	}
	r.ID = rooms.RoomID(id)
	r.Token = rooms.Token(token)
	r.HostID = rooms.UserID(host)
	r.CreatedAt = fromMillis(created)
	if ended.Valid {
		t := fromMillis(ended.Int64)
		r.EndedAt = &t
	}
	return &r, nil
}
