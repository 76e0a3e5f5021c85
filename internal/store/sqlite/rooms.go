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

const roomColumns = `id, token, host_id, name, theme, kind, group_id, event_id,
	visibility, join_policy, link_sharing, locked, lock_reason, created_at, active_at, ended_at`

// CreateRoom inserts r. A token already in use returns ECONFLICT, so the
// caller can draw another; a host, group or event that does not exist
// returns ENOTFOUND. A room without a Kind is standalone, and a room whose
// Settings are all zero gets its kind's defaults (rooms.DefaultSettings):
// both are filled in on r too, so r matches what was stored.
func (db *DB) CreateRoom(ctx context.Context, r *rooms.Room) error {
	if r.Kind == "" {
		r.Kind = rooms.Standalone
	}
	if r.Settings == (rooms.Settings{}) {
		r.Settings = rooms.DefaultSettings(r.Kind)
	}
	if err := checkKind(r); err != nil {
		return err
	}
	var ended any
	if r.EndedAt != nil {
		ended = millis(*r.EndedAt)
	}
	_, err := db.db.ExecContext(ctx, `INSERT INTO rooms
		(id, token, host_id, name, theme, kind, group_id, event_id,
		 visibility, join_policy, link_sharing, locked, lock_reason, created_at, active_at, ended_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(r.ID), string(r.Token), string(r.HostID), r.Name, r.Theme,
		string(r.Kind), nullString(string(r.GroupID)), nullString(string(r.EventID)),
		string(r.Visibility), string(r.JoinPolicy), r.LinkSharing,
		r.Locked, string(lockReason(r.Locked, r.LockReason)),
		millis(r.CreatedAt), nullMillis(r.ActiveAt), ended)
	switch {
	case isUnique(err):
		return rooms.Errorf(rooms.ECONFLICT, "A room with this link already exists.")
	case isForeignKey(err) && r.GroupID == "" && r.EventID == "":
		return errUserNotFound()
	case isForeignKey(err):
		return rooms.Errorf(rooms.ENOTFOUND, "The host, group or event of this room does not exist.")
	case err != nil:
		return fmt.Errorf("create room: %w", err)
	}
	return nil
}

// checkKind refuses a room whose group and event do not match its kind: a
// group room has a group and no event, an event room the other way round,
// a standalone room neither.
func checkKind(r *rooms.Room) error {
	var ok bool
	switch r.Kind {
	case rooms.Standalone:
		ok = r.GroupID == "" && r.EventID == ""
	case rooms.GroupRoom:
		ok = r.GroupID != "" && r.EventID == ""
	case rooms.EventRoom:
		ok = r.GroupID == "" && r.EventID != ""
	default:
		return rooms.Errorf(rooms.EINVALID, "A room must be standalone, a group's or an event's.")
	}
	if !ok {
		return rooms.Errorf(rooms.EINVALID, "A %s room must have exactly the group or event of its kind.", r.Kind)
	}
	return nil
}

// lockReason is the reason stored for a lock state: an unlocked room has
// none, whatever the caller passed.
func lockReason(locked bool, reason rooms.LockReason) rooms.LockReason {
	if !locked {
		return ""
	}
	return reason
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
	if limit <= 0 {
		return []*rooms.Room{}, nil
	}
	// id breaks ties between rooms created in the same millisecond, so the
	// order is stable from one call to the next.
	list, err := db.queryRooms(ctx, `SELECT `+roomColumns+` FROM rooms
		WHERE host_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, string(host), limit)
	if err != nil {
		return nil, fmt.Errorf("rooms by host: %w", err)
	}
	return list, nil
}

// queryRooms runs a query of roomColumns and returns its rooms, never nil.
func (db *DB) queryRooms(ctx context.Context, query string, args ...any) ([]*rooms.Room, error) {
	rows, err := db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []*rooms.Room{}
	for rows.Next() {
		r, err := scanRoom(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

// SetRoomLocked locks the room for the given reason, or unlocks it (the
// reason is then cleared, whatever was passed).
func (db *DB) SetRoomLocked(ctx context.Context, id rooms.RoomID, locked bool, reason rooms.LockReason) error {
	res, err := db.db.ExecContext(ctx,
		`UPDATE rooms SET locked = ?, lock_reason = ? WHERE id = ?`,
		locked, string(lockReason(locked, reason)), string(id))
	if err == nil {
		err = mustAffect(res, errRoomNotFound())
	}
	if err != nil {
		return fmt.Errorf("set room locked: %w", err)
	}
	return nil
}

// UpdateRoom stores r's name, theme and settings; the other fields of r
// are ignored. The caller validates them (rooms.ValidateSettings).
func (db *DB) UpdateRoom(ctx context.Context, r *rooms.Room) error {
	res, err := db.db.ExecContext(ctx, `UPDATE rooms
		SET name = ?, theme = ?, visibility = ?, join_policy = ?, link_sharing = ?
		WHERE id = ?`,
		r.Name, r.Theme, string(r.Visibility), string(r.JoinPolicy), r.LinkSharing, string(r.ID))
	if err == nil {
		err = mustAffect(res, errRoomNotFound())
	}
	if err != nil {
		return fmt.Errorf("update room: %w", err)
	}
	return nil
}

// TouchRoom records that someone was in the call at the given time. A
// touch older than the last one (from a slower node, say) changes nothing,
// so ActiveAt never goes back.
func (db *DB) TouchRoom(ctx context.Context, id rooms.RoomID, at time.Time) error {
	ms := millis(at)
	res, err := db.db.ExecContext(ctx, `UPDATE rooms
		SET active_at = CASE WHEN active_at IS NULL OR active_at < ? THEN ? ELSE active_at END
		WHERE id = ?`, ms, ms, string(id))
	if err == nil {
		err = mustAffect(res, errRoomNotFound())
	}
	if err != nil {
		return fmt.Errorf("touch room: %w", err)
	}
	return nil
}

// IdleRooms lists the rooms not ended whose last activity (ActiveAt, or
// CreatedAt when nobody has been in) is strictly before the given time,
// longest idle first, at most limit of them. The list is never nil.
func (db *DB) IdleRooms(ctx context.Context, before time.Time, limit int) ([]*rooms.Room, error) {
	if limit <= 0 {
		return []*rooms.Room{}, nil
	}
	// The WHERE clause repeats the expression of the rooms_idle index so
	// that the index serves it.
	list, err := db.queryRooms(ctx, `SELECT `+roomColumns+` FROM rooms
		WHERE ended_at IS NULL AND COALESCE(active_at, created_at) < ?
		ORDER BY COALESCE(active_at, created_at), id LIMIT ?`, millis(before), limit)
	if err != nil {
		return nil, fmt.Errorf("idle rooms: %w", err)
	}
	return list, nil
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
		r                                     rooms.Room
		id, token, host, kind, vis, join, why string
		group, event                          sql.NullString
		created                               int64
		active, ended                         sql.NullInt64
	)
	err := row.Scan(&id, &token, &host, &r.Name, &r.Theme, &kind, &group, &event,
		&vis, &join, &r.LinkSharing, &r.Locked, &why, &created, &active, &ended)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errRoomNotFound()
	} else if err != nil {
		return nil, err
	}
	r.ID = rooms.RoomID(id)
	r.Token = rooms.Token(token)
	r.HostID = rooms.UserID(host)
	r.Kind = rooms.Kind(kind)
	r.GroupID = rooms.GroupID(group.String)
	r.EventID = rooms.EventID(event.String)
	r.Visibility = rooms.Visibility(vis)
	r.JoinPolicy = rooms.JoinPolicy(join)
	r.LockReason = rooms.LockReason(why)
	r.CreatedAt = fromMillis(created)
	if active.Valid {
		r.ActiveAt = fromMillis(active.Int64)
	}
	if ended.Valid {
		t := fromMillis(ended.Int64)
		r.EndedAt = &t
	}
	return &r, nil
}
