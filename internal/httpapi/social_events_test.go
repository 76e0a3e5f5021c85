package httpapi

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// eventAnswer is the answer about one event.
type eventAnswer struct {
	Event struct {
		ID       string          `json:"id"`
		Title    string          `json:"title"`
		StartsAt time.Time       `json:"startsAt"`
		Host     socialProfile   `json:"host"`
		IsHost   bool            `json:"isHost"`
		Guests   []socialProfile `json:"guests"`
	} `json:"event"`
}

// TestEvents checks who sees an event and who may invite and remove
// guests.
func TestEvents(t *testing.T) {
	env := newSocialEnv(t)
	ada, bob, cat, dan := env.signUp("Ada"), env.signUp("Bob"), env.signUp("Cat"), env.signUp("Dan")
	ada.befriend(bob)

	starts := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	var e eventAnswer
	ada.must(http.StatusCreated, "POST", "/api/events", map[string]any{
		"title": "Picnic", "startsAt": starts.Format(time.RFC3339), "guests": []string{bob.id, bob.id, ada.id},
	}, &e)
	if e.Event.Title != "Picnic" || !e.Event.StartsAt.Equal(starts) || !e.Event.IsHost || e.Event.Host.ID != ada.id ||
		!slices.Equal(profileIDs(e.Event.Guests), []string{bob.id}) {
		t.Fatalf("new event %+v", e.Event)
	}
	base := "/api/events/" + e.Event.ID

	bob.must(http.StatusOK, "GET", base, nil, &e)
	if e.Event.IsHost || e.Event.Host.Email == "" {
		t.Errorf("a friend who is a guest sees %+v", e.Event)
	}
	notFound := cat.refused(http.StatusNotFound, "GET", base, nil)
	if other := cat.refused(http.StatusNotFound, "GET", "/api/events/nosuchevent", nil); other != notFound {
		t.Errorf("a non-guest gets %q, a missing event %q", notFound, other)
	}
	cat.refused(http.StatusNotFound, "POST", base+"/guests", map[string]any{"userId": cat.id})

	bob.refused(http.StatusForbidden, "POST", base+"/guests", map[string]any{"userId": cat.id})
	ada.must(http.StatusCreated, "POST", base+"/guests", map[string]any{"userId": cat.id}, nil)
	ada.must(http.StatusOK, "POST", base+"/guests", map[string]any{"userId": cat.id}, nil)
	cat.must(http.StatusOK, "GET", base, nil, &e)
	if len(e.Event.Guests) != 2 {
		t.Errorf("guests %+v", e.Event.Guests)
	}
	bob.refused(http.StatusForbidden, "DELETE", base+"/guests/"+cat.id, nil)
	ada.refused(http.StatusBadRequest, "DELETE", base+"/guests/"+ada.id, nil)
	cat.must(http.StatusNoContent, "DELETE", base+"/guests/"+cat.id, nil, nil)
	cat.refused(http.StatusNotFound, "GET", base, nil)
	ada.must(http.StatusNoContent, "DELETE", base+"/guests/"+bob.id, nil, nil)
	bob.refused(http.StatusNotFound, "GET", base, nil)

	// A block keeps people off each other's guest lists.
	dan.must(http.StatusNoContent, "POST", "/api/blocks", map[string]any{"userId": ada.id}, nil)
	ada.refused(http.StatusNotFound, "POST", base+"/guests", map[string]any{"userId": dan.id})
	ada.refused(http.StatusNotFound, "POST", "/api/events", map[string]any{
		"title": "Party", "startsAt": starts.Format(time.RFC3339), "guests": []string{dan.id},
	})

	var list struct {
		Events []map[string]any `json:"events"`
	}
	ada.must(http.StatusOK, "GET", "/api/events", nil, &list)
	if len(list.Events) != 1 || list.Events[0]["title"] != "Picnic" || list.Events[0]["isHost"] != true {
		t.Errorf("ada's events %+v", list.Events)
	}
	bob.must(http.StatusOK, "GET", "/api/events", nil, &list)
	if len(list.Events) != 0 {
		t.Errorf("an uninvited guest still lists %+v", list.Events)
	}
}

// TestEventValidation checks that bad events are refused with 400 and a
// message in plain words.
func TestEventValidation(t *testing.T) {
	env := newSocialEnv(t)
	ada := env.signUp("Ada")
	soon := time.Now().Add(time.Hour).Format(time.RFC3339)
	for _, body := range []map[string]any{
		{"title": "", "startsAt": soon},
		{"title": strings.Repeat("x", 101), "startsAt": soon},
		{"title": "Picnic"},
		{"title": "Picnic", "startsAt": "tomorrow"},
		{"title": "Picnic", "startsAt": "2030-01-01 10:00"},
		{"title": "Picnic", "startsAt": time.Now().Add(-72 * time.Hour).Format(time.RFC3339)},
		{"title": "Picnic", "startsAt": time.Now().AddDate(6, 0, 0).Format(time.RFC3339)},
		{"title": "Picnic", "startsAt": soon, "guests": []string{""}},
		{"title": "Picnic", "startsAt": soon, "guests": make([]string, maxEventGuests+1)},
	} {
		msg := ada.refused(http.StatusBadRequest, "POST", "/api/events", body)
		if strings.Contains(msg, "rooms error") || strings.Contains(msg, "parsing time") {
			t.Errorf("%v: message %q", body, msg)
		}
	}
}
