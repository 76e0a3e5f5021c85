package sqlite_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/roomsdev/rooms/internal/rooms"
)

// TestUpgradeFromFirstSchema opens a database written by the first schema
// alone, as a server upgraded in place would, and checks that its rows come
// out of the new schema with the defaults the new columns promise.
func TestUpgradeFromFirstSchema(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "rooms.db")
	first, err := os.ReadFile(filepath.Join("migrations", "0001_init.sql"))
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

	old, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		string(first),
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, 0)`,
		`INSERT INTO users (id, email, email_norm, display_name, password_hash, created_at)
			VALUES ('u1', 'Ada@example.com', 'ada@example.com', 'Ada Lovelace', 'x', 0)`,
		`INSERT INTO rooms (id, token, host_id, name, theme, locked, created_at)
			VALUES ('r1', 'tok1', 'u1', 'Standup', '', TRUE, ?)`,
		`INSERT INTO rooms (id, token, host_id, name, theme, locked, created_at)
			VALUES ('r2', 'tok2', 'u1', 'Retro', '', FALSE, ?)`,
	} {
		if _, err := old.ExecContext(ctx, stmt, created.UnixMilli()); err != nil {
			t.Fatalf("%.40s: %v", stmt, err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	db := open(t, path)
	defer db.Close()
	u, err := db.UserByID(ctx, "u1")
	if err != nil || u.Avatar != "" {
		t.Errorf("user after upgrade = %+v, %v; want no avatar", u, err)
	}
	if found, err := db.SearchUsers(ctx, "ada l", 10); err != nil || len(found) != 1 {
		t.Errorf("SearchUsers after upgrade = %+v, %v; want the old account", found, err)
	}
	defaults := rooms.DefaultSettings(rooms.Standalone)
	for _, tt := range []struct {
		id     rooms.RoomID
		locked bool
		reason rooms.LockReason
	}{
		{"r1", true, rooms.LockedByHost}, // locked before reasons existed: by its host
		{"r2", false, ""},
	} {
		r, err := db.RoomByID(ctx, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Kind != rooms.Standalone || r.GroupID != "" || r.EventID != "" || r.Settings != defaults ||
			r.Locked != tt.locked || r.LockReason != tt.reason || !r.ActiveAt.IsZero() {
			t.Errorf("room %s after upgrade = %+v", tt.id, r)
		}
	}
	idle, err := db.IdleRooms(ctx, created.Add(time.Millisecond), 10)
	if err != nil || len(idle) != 2 {
		t.Errorf("IdleRooms after upgrade = %d rooms, %v; want both", len(idle), err)
	}
}
