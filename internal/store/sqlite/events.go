package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/roomsdev/rooms/internal/rooms"
)

// errEventNotFound is returned for any lookup of a missing event.
func errEventNotFound() *rooms.Error {
	return rooms.Errorf(rooms.ENOTFOUND, "This event does not exist.")
}

const eventColumns = `id, host_id, title, starts_at, created_at`

// CreateEvent inserts e. An id already in use returns ECONFLICT; a host
// who does not exist, ENOTFOUND.
func (db *DB) CreateEvent(ctx context.Context, e *rooms.Event) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO events (id, host_id, title, starts_at, created_at)
		VALUES (?, ?, ?, ?, ?)`,
		string(e.ID), string(e.HostID), e.Title, millis(e.StartsAt), millis(e.CreatedAt))
	switch {
	case isUnique(err):
		return rooms.Errorf(rooms.ECONFLICT, "This event already exists.")
	case isForeignKey(err):
		return errUserNotFound()
	case err != nil:
		return fmt.Errorf("create event: %w", err)
	}
	return nil
}

// EventByID returns the event with the given id.
func (db *DB) EventByID(ctx context.Context, id rooms.EventID) (*rooms.Event, error) {
	row := db.db.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events WHERE id = ?`, string(id))
	e, err := scanEvent(row)
	if err != nil {
		return nil, fmt.Errorf("event by id: %w", err)
	}
	return e, nil
}

// EventsOf lists the events a hosts or is invited to, soonest first, each
// once. The list is never nil.
func (db *DB) EventsOf(ctx context.Context, a rooms.UserID) ([]*rooms.Event, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+eventColumns+` FROM events
		WHERE host_id = ? OR id IN (SELECT event_id FROM event_guests WHERE user_id = ?)
		ORDER BY starts_at, id`, string(a), string(a))
	if err != nil {
		return nil, fmt.Errorf("events of: %w", err)
	}
	defer rows.Close()
	list := []*rooms.Event{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("events of: %w", err)
		}
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events of: %w", err)
	}
	return list, nil
}

// Guests lists the accounts invited to the event (the host only if
// invited explicitly), by id. The list is never nil.
func (db *DB) Guests(ctx context.Context, e rooms.EventID) ([]rooms.UserID, error) {
	list, err := db.queryIDs(ctx, `SELECT user_id FROM event_guests WHERE event_id = ?
		ORDER BY user_id`, string(e))
	if err != nil {
		return nil, fmt.Errorf("guests: %w", err)
	}
	return list, nil
}

// Invited reports whether a is a guest of the event; its host counts as
// one. Nobody is invited to an event that does not exist.
func (db *DB) Invited(ctx context.Context, e rooms.EventID, a rooms.UserID) (bool, error) {
	var invited bool
	err := db.db.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM events WHERE id = ? AND host_id = ?)
		OR EXISTS (SELECT 1 FROM event_guests WHERE event_id = ? AND user_id = ?)`,
		string(e), string(a), string(e), string(a)).Scan(&invited)
	if err != nil {
		return false, fmt.Errorf("invited: %w", err)
	}
	return invited, nil
}

// Invite adds a to the event's guests; inviting twice is fine. An event
// or account that does not exist returns ENOTFOUND.
func (db *DB) Invite(ctx context.Context, e rooms.EventID, a rooms.UserID) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO event_guests (event_id, user_id)
		VALUES (?, ?) ON CONFLICT DO NOTHING`, string(e), string(a))
	switch {
	case isForeignKey(err):
		return rooms.Errorf(rooms.ENOTFOUND, "This event or person does not exist.")
	case err != nil:
		return fmt.Errorf("invite: %w", err)
	}
	return nil
}

// Uninvite takes a off the event's guests. Uninviting someone who is not
// invited is not an error.
func (db *DB) Uninvite(ctx context.Context, e rooms.EventID, a rooms.UserID) error {
	if _, err := db.db.ExecContext(ctx, `DELETE FROM event_guests WHERE event_id = ? AND user_id = ?`,
		string(e), string(a)); err != nil {
		return fmt.Errorf("uninvite: %w", err)
	}
	return nil
}

// scanEvent reads one row of eventColumns.
func scanEvent(row scanner) (*rooms.Event, error) {
	var (
		e               rooms.Event
		id, host        string
		starts, created int64
	)
	err := row.Scan(&id, &host, &e.Title, &starts, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errEventNotFound()
	} else if err != nil {
		return nil, err
	}
	e.ID = rooms.EventID(id)
	e.HostID = rooms.UserID(host)
	e.StartsAt = fromMillis(starts)
	e.CreatedAt = fromMillis(created)
	return &e, nil
}
