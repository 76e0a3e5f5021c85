package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// errGroupNotFound is returned for any lookup of a missing group.
func errGroupNotFound() *rooms.Error {
	return rooms.Errorf(rooms.ENOTFOUND, "This group does not exist.")
}

const groupColumns = `id, name, created_by, created_at`

// CreateGroup inserts g and, in the same transaction, its creator as the
// group's first admin, added at g.CreatedAt. An id already in use returns
// ECONFLICT; a creator who does not exist, ENOTFOUND.
func (db *DB) CreateGroup(ctx context.Context, g *rooms.Group) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO groups (id, name, created_by, created_at)
			VALUES (?, ?, ?, ?)`, string(g.ID), g.Name, string(g.CreatedBy), millis(g.CreatedAt))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO group_members (group_id, user_id, admin, added_at)
			VALUES (?, ?, TRUE, ?)`, string(g.ID), string(g.CreatedBy), millis(g.CreatedAt))
		return err
	})
	switch {
	case isUnique(err):
		return rooms.Errorf(rooms.ECONFLICT, "This group already exists.")
	case isForeignKey(err):
		return errUserNotFound()
	case err != nil:
		return fmt.Errorf("create group: %w", err)
	}
	return nil
}

// GroupByID returns the group with the given id.
func (db *DB) GroupByID(ctx context.Context, id rooms.GroupID) (*rooms.Group, error) {
	row := db.db.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM groups WHERE id = ?`, string(id))
	g, err := scanGroup(row)
	if err != nil {
		return nil, fmt.Errorf("group by id: %w", err)
	}
	return g, nil
}

// GroupsOf lists the groups a is a member of, by name. The list is never
// nil.
func (db *DB) GroupsOf(ctx context.Context, a rooms.UserID) ([]*rooms.Group, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT g.id, g.name, g.created_by, g.created_at
		FROM groups g JOIN group_members m ON m.group_id = g.id
		WHERE m.user_id = ? ORDER BY g.name, g.id`, string(a))
	if err != nil {
		return nil, fmt.Errorf("groups of: %w", err)
	}
	defer rows.Close()
	list := []*rooms.Group{}
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, fmt.Errorf("groups of: %w", err)
		}
		list = append(list, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("groups of: %w", err)
	}
	return list, nil
}

// Members lists the group's members, admins first, then each kind by the
// time they were added. An unknown group has no members. The list is never
// nil.
func (db *DB) Members(ctx context.Context, g rooms.GroupID) ([]rooms.Member, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT user_id, admin FROM group_members
		WHERE group_id = ? ORDER BY admin DESC, added_at, user_id`, string(g))
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	defer rows.Close()
	list := []rooms.Member{}
	for rows.Next() {
		var (
			m  rooms.Member
			id string
		)
		if err := rows.Scan(&id, &m.Admin); err != nil {
			return nil, fmt.Errorf("members: %w", err)
		}
		m.UserID = rooms.UserID(id)
		list = append(list, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	return list, nil
}

// Membership reports whether a is a member of g, and whether an admin.
func (db *DB) Membership(ctx context.Context, g rooms.GroupID, a rooms.UserID) (member, admin bool, err error) {
	err = db.db.QueryRowContext(ctx, `SELECT admin FROM group_members
		WHERE group_id = ? AND user_id = ?`, string(g), string(a)).Scan(&admin)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, false, nil
	case err != nil:
		return false, false, fmt.Errorf("membership: %w", err)
	}
	return true, admin, nil
}

// AddMember adds a to the group, or sets the admin flag of a member; a
// member keeps the time they were first added. A group or account that
// does not exist returns ENOTFOUND.
func (db *DB) AddMember(ctx context.Context, g rooms.GroupID, a rooms.UserID, admin bool) error {
	// The interface carries no time, so the store's clock says when.
	_, err := db.db.ExecContext(ctx, `INSERT INTO group_members (group_id, user_id, admin, added_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (group_id, user_id) DO UPDATE SET admin = excluded.admin`,
		string(g), string(a), admin, millis(time.Now()))
	switch {
	case isForeignKey(err):
		return rooms.Errorf(rooms.ENOTFOUND, "This group or person does not exist.")
	case err != nil:
		return fmt.Errorf("add member: %w", err)
	}
	return nil
}

// RemoveMember takes a out of the group. Removing someone who is not a
// member is not an error.
func (db *DB) RemoveMember(ctx context.Context, g rooms.GroupID, a rooms.UserID) error {
	if _, err := db.db.ExecContext(ctx, `DELETE FROM group_members WHERE group_id = ? AND user_id = ?`,
		string(g), string(a)); err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	return nil
}

// scanGroup reads one row of groupColumns.
func scanGroup(row scanner) (*rooms.Group, error) {
	var (
		g       rooms.Group
		id      string
		creator sql.NullString
		created int64
	)
	err := row.Scan(&id, &g.Name, &creator, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errGroupNotFound()
	} else if err != nil {
		return nil, err
	}
	g.ID = rooms.GroupID(id)
	g.CreatedBy = rooms.UserID(creator.String)
	g.CreatedAt = fromMillis(created)
	return &g, nil
}
