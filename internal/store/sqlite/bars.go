package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/roomsdev/rooms/internal/rooms"
)

// Bar keeps a removed account or guest out of a room. Exactly one of
// b.UserID and b.GuestID must be set. Barring someone already barred
// succeeds and keeps the first bar; a room, account or guest that does
// not exist returns ENOTFOUND.
func (db *DB) Bar(ctx context.Context, b *rooms.Bar) error {
	if (b.UserID == "") == (b.GuestID == "") {
		return errors.New("bar: exactly one of user and guest must be set")
	}
	// ON CONFLICT without a target covers both UNIQUE constraints.
	_, err := db.db.ExecContext(ctx, `INSERT INTO room_bars
		(room_id, user_id, guest_id, display_name, created_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`,
		string(b.RoomID), nullString(string(b.UserID)), nullString(string(b.GuestID)),
		b.DisplayName, millis(b.CreatedAt))
	switch {
	case isForeignKey(err):
		return rooms.Errorf(rooms.ENOTFOUND, "This room or person does not exist.")
	case err != nil:
		return fmt.Errorf("bar: %w", err)
	}
	return nil
}

// LiftBar lets a barred account or guest back into the room. Lifting a bar
// that does not exist is not an error.
func (db *DB) LiftBar(ctx context.Context, room rooms.RoomID, user rooms.UserID, guest rooms.GuestID) error {
	// A NULL never equals anything, so an empty id matches no bar.
	_, err := db.db.ExecContext(ctx, `DELETE FROM room_bars
		WHERE room_id = ? AND (user_id = ? OR guest_id = ?)`,
		string(room), nullString(string(user)), nullString(string(guest)))
	if err != nil {
		return fmt.Errorf("lift bar: %w", err)
	}
	return nil
}

// IsBarred reports whether the account or the guest is barred from the
// room. Either id may be empty; with both set, a bar on either counts.
func (db *DB) IsBarred(ctx context.Context, room rooms.RoomID, user rooms.UserID, guest rooms.GuestID) (bool, error) {
	var barred bool
	err := db.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM room_bars
		WHERE room_id = ? AND (user_id = ? OR guest_id = ?))`,
		string(room), nullString(string(user)), nullString(string(guest))).Scan(&barred)
	if err != nil {
		return false, fmt.Errorf("is barred: %w", err)
	}
	return barred, nil
}

// Bars lists the room's bars, oldest first. The list is never nil.
func (db *DB) Bars(ctx context.Context, room rooms.RoomID) ([]*rooms.Bar, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT room_id, user_id, guest_id, display_name, created_at
		FROM room_bars WHERE room_id = ?
		ORDER BY created_at, COALESCE(user_id, guest_id)`, string(room))
	if err != nil {
		return nil, fmt.Errorf("bars: %w", err)
	}
	defer rows.Close()
	list := []*rooms.Bar{}
	for rows.Next() {
		var (
			b           rooms.Bar
			rid         string
			user, guest sql.NullString
			created     int64
		)
		if err := rows.Scan(&rid, &user, &guest, &b.DisplayName, &created); err != nil {
			return nil, fmt.Errorf("bars: %w", err)
		}
		b.RoomID = rooms.RoomID(rid)
		b.UserID = rooms.UserID(user.String)
		b.GuestID = rooms.GuestID(guest.String)
		b.CreatedAt = fromMillis(created)
		list = append(list, &b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("bars: %w", err)
	}
	return list, nil
}
