// Package sqlite implements rooms.Store on SQLite, through the pure-Go
// driver modernc.org/sqlite. The schema lives in embedded, numbered
// migrations that run in one transaction when the database is opened.
//
// The SQL is kept close to what PostgreSQL accepts (TEXT ids, INTEGER unix
// milliseconds for times, BOOLEAN flags) so that a PostgreSQL store can
// reuse the same schema with few changes.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/roomsdev/rooms/internal/rooms"
)

// busyTimeout is how long a connection waits for another one's write lock
// before giving up with SQLITE_BUSY. Writes here are short, so reaching it
// means something is badly wrong rather than merely busy.
const busyTimeout = 10 * time.Second

// maxOpenConns caps the pool. SQLite has one writer at a time anyway; a few
// connections let reads proceed next to a write (WAL), more only cost memory.
const maxOpenConns = 8

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a SQLite-backed rooms.Store. It is safe for concurrent use.
type DB struct {
	db *sql.DB
}

var _ rooms.Store = (*DB)(nil)

// Open opens (creating if needed) the SQLite database file at path, creating
// its parent directory, and brings its schema up to date. The path must name
// a file: an in-memory database would be a different, empty database for
// every connection in the pool.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open database: invalid path %q", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}

	// Every pooled connection runs these pragmas when it opens.
	// _txlock=immediate makes BEGIN take the write lock at once: a deferred
	// transaction that reads and then writes can fail with SQLITE_BUSY
	// without waiting, because SQLite cannot let it upgrade its lock.
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	// In WAL mode, synchronous=NORMAL cannot corrupt the database; a power
	// cut may lose the last commits, which for sessions and rooms is fine
	// in exchange for not syncing to disk on every write.
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")

	sqldb, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqldb.SetMaxOpenConns(maxOpenConns)
	sqldb.SetMaxIdleConns(maxOpenConns)

	db := &DB{db: sqldb}
	// Open one connection first, alone: switching a new file to WAL needs
	// an exclusive lock, which is simplest to get before anyone else asks.
	// SQLite answers that switch with SQLITE_BUSY at once, without its busy
	// handler, when another process is doing the same: wait and retry.
	deadline := time.Now().Add(busyTimeout)
	for {
		err := sqldb.PingContext(ctx)
		if err == nil {
			break
		}
		if !isBusy(err) || time.Now().After(deadline) {
			sqldb.Close()
			return nil, fmt.Errorf("open database: %w", err)
		}
		select {
		case <-ctx.Done():
			sqldb.Close()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := db.migrate(ctx); err != nil {
		sqldb.Close()
		return nil, err
	}
	return db, nil
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	return strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "database is locked")
}

// Close closes the database.
func (db *DB) Close() error {
	return db.db.Close()
}

// migration is one numbered schema change from the migrations directory.
type migration struct {
	version int
	name    string
}

// listMigrations returns the embedded migrations ordered by version. File
// names start with the version number: 0001_init.sql.
func listMigrations() ([]migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", base)
		}
		ms = append(ms, migration{version: v, name: name})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

// migrate applies, in order and in one transaction, the migrations not yet
// recorded in schema_migrations. The transaction holds the write lock from
// its start, so two processes opening the same file cannot both migrate.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := listMigrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}

	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()

	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}

	var current int
	if err := tx.QueryRowContext(ctx,
		`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: read version: %w", err)
	}
	if n := len(ms); n > 0 && current > ms[n-1].version {
		return fmt.Errorf("migrate: database schema version %d is newer than this program's %d", current, ms[n-1].version)
	}

	for _, m := range ms {
		if m.version <= current {
			continue
		}
		body, err := fs.ReadFile(migrations, m.name)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("migrate: apply %s: %w", path.Base(m.name), err)
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
			m.version, time.Now().UnixMilli()); err != nil {
			return fmt.Errorf("migrate: record %s: %w", path.Base(m.name), err)
		}
	}

	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// SchemaVersion returns the version of the newest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// inTx runs fn in a transaction, committing if it returns nil and rolling
// back otherwise. BEGIN takes the write lock at once (_txlock=immediate),
// so what fn reads stays true until it commits.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Times are stored as INTEGER unix milliseconds, so they come back rounded
// down to the millisecond, in UTC.

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// nullString maps the empty string to SQL NULL, for optional references.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullMillis maps the zero time to SQL NULL, for optional times.
func nullMillis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return millis(t)
}

// constraint returns the extended SQLite result code of a constraint
// violation (SQLITE_CONSTRAINT_UNIQUE, …), or 0 if err is something else.
func constraint(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_CONSTRAINT {
		return e.Code()
	}
	return 0
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation; the
// column names in SQLite's message tell which one.
func isUnique(err error) bool {
	c := constraint(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// isForeignKey reports whether err is a FOREIGN KEY violation.
func isForeignKey(err error) bool {
	return constraint(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// mustAffect turns an UPDATE that matched no row into notFound.
func mustAffect(res sql.Result, notFound *rooms.Error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound
	}
	return nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}
