package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/roomsdev/rooms/internal/rooms"
)

// Bar keeps a removed account or guest, and the devices in b.Devices, out
// of a room. Exactly one of b.UserID and b.GuestID must be set. Barring
// someone already barred succeeds, keeps the first bar and adds any new
// device; a room, account or guest that does not exist returns ENOTFOUND.
func (db *DB) Bar(ctx context.Context, b *rooms.Bar) error {
	if (b.UserID == "") == (b.GuestID == "") {
		return errors.New("bar: exactly one of user and guest must be set")
	}
	user, guest := nullString(string(b.UserID)), nullString(string(b.GuestID))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		// ON CONFLICT without a target covers both UNIQUE constraints.
		if _, err := tx.ExecContext(ctx, `INSERT INTO room_bars
			(room_id, user_id, guest_id, display_name, created_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`,
			string(b.RoomID), user, guest, b.DisplayName, millis(b.CreatedAt)); err != nil {
			return err
		}
		for _, d := range b.Devices {
			if d == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO room_device_bars
				(room_id, device_hash, user_id, guest_id, created_at)
				VALUES (?, ?, ?, ?, ?)
				ON CONFLICT DO NOTHING`,
				string(b.RoomID), string(d), user, guest, millis(b.CreatedAt)); err != nil {
				return err
			}
		}
		return nil
	})
	switch {
	case isForeignKey(err):
		return rooms.Errorf(rooms.ENOTFOUND, "This room or person does not exist.")
	case err != nil:
		return fmt.Errorf("bar: %w", err)
	}
	return nil
}

// LiftBar lets a barred account or guest back into the room, with the
// devices barred along with them. Lifting a bar that does not exist is
// not an error.
func (db *DB) LiftBar(ctx context.Context, room rooms.RoomID, user rooms.UserID, guest rooms.GuestID) error {
	// A NULL never equals anything, so an empty id matches no bar.
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"room_bars", "room_device_bars"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+`
				WHERE room_id = ? AND (user_id = ? OR guest_id = ?)`,
				string(room), nullString(string(user)), nullString(string(guest))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("lift bar: %w", err)
	}
	return nil
}

// IsBarred reports whether the account, the guest or the device is
// barred from the room. Any of them may be empty; a bar on any counts.
func (db *DB) IsBarred(ctx context.Context, room rooms.RoomID, user rooms.UserID, guest rooms.GuestID, device rooms.DeviceID) (bool, error) {
	var barred bool
	err := db.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM room_bars
			WHERE room_id = ? AND (user_id = ? OR guest_id = ?))
		OR EXISTS (SELECT 1 FROM room_device_bars
			WHERE room_id = ? AND device_hash = ?)`,
		string(room), nullString(string(user)), nullString(string(guest)),
		string(room), nullString(string(device))).Scan(&barred)
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
