package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/roomsdev/rooms/internal/rooms"
)

// errUserNotFound is returned for any lookup or update of a missing account.
func errUserNotFound() *rooms.Error {
	return rooms.Errorf(rooms.ENOTFOUND, "This account does not exist.")
}

// normEmail is the form of an email that carries its uniqueness. The auth
// package validates, Unicode-normalises (NFKC) and lowercases emails
// already; doing it here too keeps the store correct for any caller, and
// makes lookups (sign-in, search) find an account however its address is
// typed. It is done in Go because SQLite's lower() only folds ASCII.
func normEmail(email string) string {
	return strings.ToLower(norm.NFKC.String(strings.TrimSpace(email)))
}

// normName is the form of a display name that SearchUsers matches
// prefixes against: lowercased in Go, for the same reason as normEmail.
func normName(name string) string {
	return strings.ToLower(name)
}

const userColumns = `id, email, display_name, avatar, password_hash, moderator, suspended, created_at`

// CreateUser inserts u. An email already in use, in any letter case,
// returns ECONFLICT.
func (db *DB) CreateUser(ctx context.Context, u *rooms.User) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO users
		(id, email, email_norm, display_name, display_name_norm, avatar,
		 password_hash, moderator, suspended, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(u.ID), u.Email, normEmail(u.Email), u.DisplayName, normName(u.DisplayName), u.Avatar,
		u.PasswordHash, u.Moderator, u.Suspended, millis(u.CreatedAt))
	if isUnique(err) {
		if strings.Contains(err.Error(), "email_norm") {
			return rooms.Errorf(rooms.ECONFLICT, "An account with this email already exists.")
		}
		return rooms.Errorf(rooms.ECONFLICT, "This account already exists.")
	} else if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

// UserByID returns the account with the given id.
func (db *DB) UserByID(ctx context.Context, id rooms.UserID) (*rooms.User, error) {
	row := db.db.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users WHERE id = ?`, string(id))
	u, err := scanUser(row)
	if err != nil {
		return nil, fmt.Errorf("user by id: %w", err)
	}
	return u, nil
}

// UserByEmail returns the account with the given email, in any letter case.
func (db *DB) UserByEmail(ctx context.Context, email string) (*rooms.User, error) {
	row := db.db.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users WHERE email_norm = ?`, normEmail(email))
	u, err := scanUser(row)
	if err != nil {
		return nil, fmt.Errorf("user by email: %w", err)
	}
	return u, nil
}

// SetModerator grants or withdraws the moderator role.
func (db *DB) SetModerator(ctx context.Context, id rooms.UserID, moderator bool) error {
	res, err := db.db.ExecContext(ctx,
		`UPDATE users SET moderator = ? WHERE id = ?`, moderator, string(id))
	if err == nil {
		err = mustAffect(res, errUserNotFound())
	}
	if err != nil {
		return fmt.Errorf("set moderator: %w", err)
	}
	return nil
}

// SetSuspended suspends or reinstates an account. The auth package treats
// suspended accounts' sessions as anonymous and refuses their sign-ins.
func (db *DB) SetSuspended(ctx context.Context, id rooms.UserID, suspended bool) error {
	res, err := db.db.ExecContext(ctx,
		`UPDATE users SET suspended = ? WHERE id = ?`, suspended, string(id))
	if err == nil {
		err = mustAffect(res, errUserNotFound())
	}
	if err != nil {
		return fmt.Errorf("set suspended: %w", err)
	}
	return nil
}

// UpdateProfile changes the account's display name and avatar. The caller
// validates both (rooms.CleanDisplayName).
func (db *DB) UpdateProfile(ctx context.Context, id rooms.UserID, displayName, avatar string) error {
	res, err := db.db.ExecContext(ctx, `UPDATE users
		SET display_name = ?, display_name_norm = ?, avatar = ? WHERE id = ?`,
		displayName, normName(displayName), avatar, string(id))
	if err == nil {
		err = mustAffect(res, errUserNotFound())
	}
	if err != nil {
		return fmt.Errorf("update profile: %w", err)
	}
	return nil
}

// likeEscaper escapes LIKE's wildcards (and its escape character), so that
// a search for "50%_off" matches those characters literally.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// SearchUsers finds the accounts whose email is q, in any letter case, or
// whose display name starts with q, in any letter case; suspended accounts
// are left out. The list is ordered by display name, holds at most limit
// accounts, and is never nil. A blank q finds nobody rather than everyone.
func (db *DB) SearchUsers(ctx context.Context, q string, limit int) ([]*rooms.User, error) {
	list := []*rooms.User{}
	q = strings.TrimSpace(q)
	if q == "" || limit <= 0 {
		return list, nil
	}
	// Both sides are lowercased in Go, so LIKE needs no case folding of its
	// own: SQLite's only folds ASCII and PostgreSQL's does not fold at all.
	rows, err := db.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE NOT suspended
		  AND (email_norm = ? OR display_name_norm LIKE ? ESCAPE '\')
		ORDER BY display_name_norm, id LIMIT ?`,
		normEmail(q), likeEscaper.Replace(normName(q))+"%", limit)
	if err != nil {
		return nil, fmt.Errorf("search users: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("search users: %w", err)
		}
		list = append(list, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search users: %w", err)
	}
	return list, nil
}

// scanUser reads one row of userColumns.
func scanUser(row scanner) (*rooms.User, error) {
	var (
		u       rooms.User
		id      string
		created int64
	)
	err := row.Scan(&id, &u.Email, &u.DisplayName, &u.Avatar, &u.PasswordHash,
		&u.Moderator, &u.Suspended, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errUserNotFound()
	} else if err != nil {
		return nil, err
	}
	u.ID = rooms.UserID(id)
	u.CreatedAt = fromMillis(created)
	return &u, nil
}
