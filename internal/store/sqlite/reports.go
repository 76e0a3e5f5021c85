package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// CreateReport inserts r, with who was inside as a JSON array. An id
// already in use returns ECONFLICT; a room or reporter that does not exist,
// ENOTFOUND.
func (db *DB) CreateReport(ctx context.Context, r *rooms.Report) error {
	inside := r.Inside
	if inside == nil {
		inside = []rooms.ReportedPerson{}
	}
	body, err := json.Marshal(inside)
	if err != nil {
		return fmt.Errorf("create report: %w", err)
	}
	var resolved any
	if r.ResolvedAt != nil {
		resolved = millis(*r.ResolvedAt)
	}
	_, err = db.db.ExecContext(ctx, `INSERT INTO reports
		(id, room_id, room_name, reason, reporter_user, reporter_guest, reporter_name,
		 inside, created_at, resolved_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(r.ID), string(r.RoomID), r.RoomName, r.Reason,
		nullString(string(r.ReporterUser)), nullString(string(r.ReporterGuest)), r.ReporterName,
		string(body), millis(r.CreatedAt), resolved)
	switch {
	case isUnique(err):
		return rooms.Errorf(rooms.ECONFLICT, "This report already exists.")
	case isForeignKey(err):
		return rooms.Errorf(rooms.ENOTFOUND, "This room or reporter does not exist.")
	case err != nil:
		return fmt.Errorf("create report: %w", err)
	}
	return nil
}

// Reports lists reports newest first, at most limit of them: the open ones
// only, or all when all is set. The list is never nil.
func (db *DB) Reports(ctx context.Context, all bool, limit int) ([]*rooms.Report, error) {
	list := []*rooms.Report{}
	if limit <= 0 {
		return list, nil
	}
	where := `WHERE resolved_at IS NULL`
	if all {
		where = ``
	}
	rows, err := db.db.QueryContext(ctx, `SELECT id, room_id, room_name, reason,
		reporter_user, reporter_guest, reporter_name, inside, created_at, resolved_at
		FROM reports `+where+` ORDER BY created_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r                 rooms.Report
			id, inside        string
			room, user, guest sql.NullString
			created           int64
			resolved          sql.NullInt64
		)
		if err := rows.Scan(&id, &room, &r.RoomName, &r.Reason, &user, &guest, &r.ReporterName,
			&inside, &created, &resolved); err != nil {
			return nil, fmt.Errorf("reports: %w", err)
		}
		if err := json.Unmarshal([]byte(inside), &r.Inside); err != nil {
			return nil, fmt.Errorf("reports: report %s: people inside: %w", id, err)
		}
		if r.Inside == nil {
			r.Inside = []rooms.ReportedPerson{}
		}
		r.ID = rooms.ReportID(id)
		r.RoomID = rooms.RoomID(room.String)
		r.ReporterUser = rooms.UserID(user.String)
		r.ReporterGuest = rooms.GuestID(guest.String)
		r.CreatedAt = fromMillis(created)
		if resolved.Valid {
			t := fromMillis(resolved.Int64)
			r.ResolvedAt = &t
		}
		list = append(list, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	return list, nil
}

// ResolveReport closes the report at the given time. Resolving it again
// succeeds and keeps the first time; a report that does not exist returns
// ENOTFOUND.
func (db *DB) ResolveReport(ctx context.Context, id rooms.ReportID, at time.Time) error {
	res, err := db.db.ExecContext(ctx,
		`UPDATE reports SET resolved_at = COALESCE(resolved_at, ?) WHERE id = ?`, millis(at), string(id))
	if err == nil {
		err = mustAffect(res, rooms.Errorf(rooms.ENOTFOUND, "This report does not exist."))
	}
	if err != nil {
		return fmt.Errorf("resolve report: %w", err)
	}
	return nil
}
