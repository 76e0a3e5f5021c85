package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
	"github.com/roomsdev/rooms/internal/store/sqlite"
	"github.com/roomsdev/rooms/internal/store/storetest"
)

func open(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) rooms.Store {
		return open(t, filepath.Join(t.TempDir(), "rooms.db"))
	})
}

func TestOpenCreatesDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "rooms.db")
	db := open(t, path)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestWAL checks that the database runs in write-ahead-log mode, which lets
// readers proceed while a write is under way.
func TestWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rooms.db")
	db := open(t, path)
	defer db.Close()
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Errorf("no write-ahead log next to the database: %v", err)
	}
}

func TestOpenRejectsMemory(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file.db?mode=memory"} {
		if db, err := sqlite.Open(t.Context(), path); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}

// TestReopen checks that data survives closing and reopening the file, and
// that opening again does not re-run migrations that have already run.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "rooms.db")
	created := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

	db := open(t, path)
	want, err := db.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want < 1 {
		t.Fatalf("schema version = %d after migrating, want at least 1", want)
	}
	u := &rooms.User{ID: "u1", Email: "ada@example.com", DisplayName: "Ada", PasswordHash: "x", CreatedAt: created}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	r := &rooms.Room{ID: "r1", Token: "tok1", HostID: u.ID, Name: "Standup", CreatedAt: created}
	if err := db.CreateRoom(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	for range 2 {
		db = open(t, path)
		got, err := db.SchemaVersion(ctx)
		if err != nil || got != want {
			t.Errorf("schema version after reopen = %d, %v; want %d", got, err, want)
		}
		if _, err := db.UserByEmail(ctx, "ADA@example.com"); err != nil {
			t.Errorf("user after reopen: %v", err)
		}
		if got, err := db.RoomByToken(ctx, "tok1"); err != nil || got.HostID != u.ID {
			t.Errorf("room after reopen = %+v, %v", got, err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestConcurrentOpen opens the same new file from several goroutines at
// once, as two processes starting together would: the migrations must run
// exactly once and every Open must succeed.
func TestConcurrentOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rooms.db")
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() {
			db, err := sqlite.Open(context.Background(), path)
			if err == nil {
				err = db.Close()
			}
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestDeleteExpiredSessions(t *testing.T) {
	ctx := t.Context()
	db := open(t, filepath.Join(t.TempDir(), "rooms.db"))
	defer db.Close()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

	u := &rooms.User{ID: "u1", Email: "ada@example.com", DisplayName: "Ada", PasswordHash: "x", CreatedAt: now}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	sessions := map[string]time.Time{
		"expired long ago": now.Add(-24 * time.Hour),
		"expires now":      now,
		"still valid":      now.Add(time.Millisecond),
	}
	for name, expires := range sessions {
		s := &rooms.Session{TokenHash: []byte(name), UserID: u.ID, CreatedAt: now.Add(-48 * time.Hour), ExpiresAt: expires}
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	n, err := db.DeleteExpiredSessions(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("deleted %d sessions, want 2", n)
	}
	// The valid one is still there, even when asked about from the past.
	if _, err := db.SessionByHash(ctx, []byte("still valid"), now.Add(-time.Hour)); err != nil {
		t.Errorf("valid session: %v", err)
	}
	if _, err := db.SessionByHash(ctx, []byte("expired long ago"), now.Add(-48*time.Hour)); rooms.ErrorCode(err) != rooms.ENOTFOUND {
		t.Errorf("deleted session: err = %v, want not found", err)
	}
}

func TestSetSuspended(t *testing.T) {
	ctx := t.Context()
	db := open(t, filepath.Join(t.TempDir(), "rooms.db"))
	defer db.Close()
	u := &rooms.User{ID: "u1", Email: "ada@example.com", DisplayName: "Ada", PasswordHash: "x", CreatedAt: time.Now()}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	for _, suspended := range []bool{true, false} {
		if err := db.SetSuspended(ctx, u.ID, suspended); err != nil {
			t.Fatal(err)
		}
		got, err := db.UserByID(ctx, u.ID)
		if err != nil || got.Suspended != suspended {
			t.Errorf("user = %+v, %v; want suspended %v", got, err, suspended)
		}
	}
	if err := db.SetSuspended(ctx, "nobody", true); rooms.ErrorCode(err) != rooms.ENOTFOUND {
		t.Errorf("suspend unknown user: err = %v, want not found", err)
	}
}
