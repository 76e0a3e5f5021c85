package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// Friendships are stored as requests: one row per pair of people, from
// the one who asked to the other, accepted once accepted_at is set. Blocks
// are one row per blocker and blocked person. Every change that reads
// before it writes runs in a transaction, which takes SQLite's write lock
// at BEGIN (see _txlock in Open), so two changes to one pair cannot
// interleave.

// errNoSuchPerson is returned when a friend or block names an account that
// does not exist.
func errNoSuchPerson() *rooms.Error {
	return rooms.Errorf(rooms.ENOTFOUND, "This person does not exist.")
}

// errCantFriend refuses a friend request across a block, in the same words
// whoever blocked whom.
func errCantFriend() *rooms.Error {
	return rooms.Errorf(rooms.EFORBIDDEN, "You can't send a friend request to this person.")
}

// pairClause matches the row of a pair of people, whichever asked; its
// arguments are the two ids, then the same two ids again.
const pairClause = `(from_id = ? AND to_id = ?) OR (from_id = ? AND to_id = ?)`

// RequestFriend records a request from one account to another. If the
// other had already asked, the two become friends at once; if they are
// friends already, or the request was already made, nothing changes.
// Asking oneself returns EINVALID, asking across a block (either way)
// EFORBIDDEN, and asking an unknown account ENOTFOUND.
func (db *DB) RequestFriend(ctx context.Context, from, to rooms.UserID, at time.Time) error {
	if from == to {
		return rooms.Errorf(rooms.EINVALID, "You can't send a friend request to yourself.")
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var blocked bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM blocks
			WHERE (blocker_id = ? AND blocked_id = ?) OR (blocker_id = ? AND blocked_id = ?))`,
			string(from), string(to), string(to), string(from)).Scan(&blocked); err != nil {
			return err
		}
		if blocked {
			return errCantFriend()
		}
		var (
			asker    string
			accepted sql.NullInt64
		)
		err := tx.QueryRowContext(ctx, `SELECT from_id, accepted_at FROM friendships WHERE `+pairClause,
			string(from), string(to), string(to), string(from)).Scan(&asker, &accepted)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `INSERT INTO friendships (from_id, to_id, created_at)
				VALUES (?, ?, ?)`, string(from), string(to), millis(at))
			if isForeignKey(err) {
				return errNoSuchPerson()
			}
			return err
		case err != nil:
			return err
		case accepted.Valid || asker == string(from):
			return nil // friends already, or asked already
		default: // the other asked first: accept
			_, err = tx.ExecContext(ctx, `UPDATE friendships SET accepted_at = ?
				WHERE from_id = ? AND to_id = ?`, millis(at), string(to), string(from))
			return err
		}
	})
	if err != nil {
		return fmt.Errorf("request friend: %w", err)
	}
	return nil
}

// AcceptFriend accepts the pending request from "from" to "to". Accepting
// when the two are friends already succeeds (a second click on "accept");
// without a request, it returns ENOTFOUND.
func (db *DB) AcceptFriend(ctx context.Context, from, to rooms.UserID, at time.Time) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE friendships SET accepted_at = ?
			WHERE from_id = ? AND to_id = ? AND accepted_at IS NULL`,
			millis(at), string(from), string(to))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		var friends bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM friendships
			WHERE (`+pairClause+`) AND accepted_at IS NOT NULL)`,
			string(from), string(to), string(to), string(from)).Scan(&friends); err != nil {
			return err
		}
		if !friends {
			return rooms.Errorf(rooms.ENOTFOUND, "There is no friend request to accept.")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("accept friend: %w", err)
	}
	return nil
}

// RemoveFriend ends a friendship, or withdraws or declines a request,
// whichever way it goes. Removing what does not exist is not an error.
func (db *DB) RemoveFriend(ctx context.Context, a, b rooms.UserID) error {
	if _, err := db.db.ExecContext(ctx, `DELETE FROM friendships WHERE `+pairClause,
		string(a), string(b), string(b), string(a)); err != nil {
		return fmt.Errorf("remove friend: %w", err)
	}
	return nil
}

// FriendState is how b relates to a, from a's side.
func (db *DB) FriendState(ctx context.Context, a, b rooms.UserID) (rooms.FriendState, error) {
	var (
		asker    string
		accepted sql.NullInt64
	)
	err := db.db.QueryRowContext(ctx, `SELECT from_id, accepted_at FROM friendships WHERE `+pairClause,
		string(a), string(b), string(b), string(a)).Scan(&asker, &accepted)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return rooms.NotFriends, nil
	case err != nil:
		return "", fmt.Errorf("friend state: %w", err)
	case accepted.Valid:
		return rooms.Friends, nil
	case asker == string(a):
		return rooms.RequestSent, nil
	default:
		return rooms.RequestReceived, nil
	}
}

// Friends lists a's friends, the requests others sent a (incoming) and
// those a sent (outgoing), each oldest first. No list is nil.
func (db *DB) Friends(ctx context.Context, a rooms.UserID) (friends, incoming, outgoing []rooms.UserID, err error) {
	rows, err := db.db.QueryContext(ctx, `SELECT from_id, to_id, accepted_at IS NOT NULL
		FROM friendships WHERE from_id = ? OR to_id = ?
		ORDER BY COALESCE(accepted_at, created_at), from_id, to_id`, string(a), string(a))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("friends: %w", err)
	}
	defer rows.Close()
	friends, incoming, outgoing = []rooms.UserID{}, []rooms.UserID{}, []rooms.UserID{}
	for rows.Next() {
		var (
			from, to string
			accepted bool
		)
		if err := rows.Scan(&from, &to, &accepted); err != nil {
			return nil, nil, nil, fmt.Errorf("friends: %w", err)
		}
		switch {
		case accepted && from == string(a):
			friends = append(friends, rooms.UserID(to))
		case accepted:
			friends = append(friends, rooms.UserID(from))
		case from == string(a):
			outgoing = append(outgoing, rooms.UserID(to))
		default:
			incoming = append(incoming, rooms.UserID(from))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("friends: %w", err)
	}
	return friends, incoming, outgoing, nil
}

// Block records that blocker blocked blocked, and in the same transaction
// removes any friendship or request between the two. Blocking again
// succeeds and keeps the first time; blocking oneself returns EINVALID and
// an unknown account ENOTFOUND.
func (db *DB) Block(ctx context.Context, blocker, blocked rooms.UserID, at time.Time) error {
	if blocker == blocked {
		return rooms.Errorf(rooms.EINVALID, "You can't block yourself.")
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO blocks (blocker_id, blocked_id, created_at)
			VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, string(blocker), string(blocked), millis(at))
		if isForeignKey(err) {
			return errNoSuchPerson()
		} else if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM friendships WHERE `+pairClause,
			string(blocker), string(blocked), string(blocked), string(blocker))
		return err
	})
	if err != nil {
		return fmt.Errorf("block: %w", err)
	}
	return nil
}

// Unblock lifts blocker's block on blocked; the friendship it removed is
// not restored. Unblocking someone not blocked is not an error.
func (db *DB) Unblock(ctx context.Context, blocker, blocked rooms.UserID) error {
	if _, err := db.db.ExecContext(ctx, `DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?`,
		string(blocker), string(blocked)); err != nil {
		return fmt.Errorf("unblock: %w", err)
	}
	return nil
}

// Blocked lists whom a has blocked, oldest block first. The list is never
// nil.
func (db *DB) Blocked(ctx context.Context, a rooms.UserID) ([]rooms.UserID, error) {
	list, err := db.queryIDs(ctx, `SELECT blocked_id FROM blocks WHERE blocker_id = ?
		ORDER BY created_at, blocked_id`, string(a))
	if err != nil {
		return nil, fmt.Errorf("blocked: %w", err)
	}
	return list, nil
}

// blockBatch bounds how many ids one BlockBetween query carries: each id
// is bound twice, which keeps a query far below SQLite's (32,766) and
// PostgreSQL's (65,535) limits on bound parameters. A room holds 50 people
// by default, so one query is the rule.
const blockBatch = 500

// BlockBetween reports whether there is a block, either way, between a and
// any of others. An empty others has no block.
func (db *DB) BlockBetween(ctx context.Context, a rooms.UserID, others []rooms.UserID) (bool, error) {
	for batch := range slices.Chunk(others, blockBatch) {
		marks := strings.Repeat("?, ", len(batch)-1) + "?"
		args := make([]any, 0, 2*len(batch)+2)
		args = append(args, string(a))
		for _, id := range batch {
			args = append(args, string(id))
		}
		args = append(args, string(a))
		for _, id := range batch {
			args = append(args, string(id))
		}
		var found bool
		err := db.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM blocks
			WHERE (blocker_id = ? AND blocked_id IN (`+marks+`))
			   OR (blocked_id = ? AND blocker_id IN (`+marks+`)))`, args...).Scan(&found)
		if err != nil {
			return false, fmt.Errorf("block between: %w", err)
		}
		if found {
			return true, nil
		}
	}
	return false, nil
}

// queryIDs runs a query of one id column and returns the ids, never nil.
func (db *DB) queryIDs(ctx context.Context, query string, args ...any) ([]rooms.UserID, error) {
	rows, err := db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []rooms.UserID{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		list = append(list, rooms.UserID(id))
	}
	return list, rows.Err()
}
