package httpapi

import (
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/roomsdev/rooms/internal/rooms"
)

// Bounds on searches and avatars.
const (
	// minSearch and maxSearch bound a search, in characters after
	// trimming: three characters keep a search from listing everyone; 254
	// is the longest email address.
	minSearch = 3
	maxSearch = 254
	// maxAvatarBytes bounds an avatar: one emoji, a few code points.
	maxAvatarBytes = 16
)

// searchLimit slows down searches, per account: a search can tell whether
// an email address has an account, so it must not be run in bulk. It is
// kept here rather than on the Server because it belongs to this file's
// endpoint alone.
var searchLimit = newLimiter(Rate{Every: time.Second, Burst: 20}, nil)

// handleGetUser answers a person's profile. People with a block between
// them, either way, and suspended accounts are "No such person."
func (s *Server) handleGetUser(w http.ResponseWriter, r *http.Request) {
	me, ok := s.signedIn(w, r, "see people's profiles")
	if !ok {
		return
	}
	ctx := r.Context()
	other := rooms.UserID(r.PathValue("id"))
	var u *rooms.User
	var err error
	if other == me {
		u, err = s.store.UserByID(ctx, me)
	} else {
		u, err = s.visiblePerson(ctx, me, other, "")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.viewerOf(ctx, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := v.profileOf(u)
	writeJSON(w, http.StatusOK, map[string]any{"user": p})
}

// handleSearchUsers finds people by email or by the start of their display
// name. Yourself and anyone with a block either way are left out.
func (s *Server) handleSearchUsers(w http.ResponseWriter, r *http.Request) {
	me, ok := s.signedIn(w, r, "search for people")
	if !ok {
		return
	}
	if ok, wait := searchLimit.allow(string(me), time.Now()); !ok {
		s.tooMany(w, r, wait)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if n := utf8.RuneCountInString(q); n < minSearch || n > maxSearch || !utf8.ValidString(q) {
		s.writeError(w, r, rooms.Errorf(rooms.EINVALID,
			"Type between %d and %d characters to search: a name or an email address.", minSearch, maxSearch))
		return
	}
	ctx := r.Context()
	// Ask for more than we show: some results are dropped below.
	found, err := s.store.SearchUsers(ctx, q, 2*maxSearchResults+1)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.viewerOf(ctx, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]profileJSON, 0, maxSearchResults)
	for _, u := range found {
		if len(out) == maxSearchResults {
			break
		}
		if u.ID == me || u.Suspended {
			continue
		}
		blocked, err := s.store.BlockBetween(ctx, me, []rooms.UserID{u.ID})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !blocked {
			out = append(out, v.profileOf(u))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

// accountJSON is an account as its owner sees it, with its avatar.
type accountJSON struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Email       string `json:"email"`
	Avatar      string `json:"avatar"`
}

// handleUpdateMe changes the caller's display name and avatar; fields left
// out keep their values.
func (s *Server) handleUpdateMe(w http.ResponseWriter, r *http.Request) {
	me, ok := s.signedIn(w, r, "change your profile")
	if !ok {
		return
	}
	var req struct {
		DisplayName *string `json:"displayName"`
		Avatar      *string `json:"avatar"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	u, err := s.store.UserByID(ctx, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	name, avatar := u.DisplayName, u.Avatar
	if req.DisplayName != nil {
		if name, err = rooms.CleanDisplayName(*req.DisplayName); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if req.Avatar != nil {
		if avatar, err = cleanAvatar(*req.Avatar); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if name != u.DisplayName || avatar != u.Avatar {
		if err := s.store.UpdateProfile(ctx, me, name, avatar); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": accountJSON{
		ID: string(u.ID), DisplayName: name, Email: u.Email, Avatar: avatar,
	}})
}

// cleanAvatar checks an avatar: empty (the client then shows initials) or
// one emoji of at most maxAvatarBytes. Letters, digits, punctuation and
// control or formatting characters are refused, so an avatar cannot carry
// text or spoof a name.
func cleanAvatar(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if len(s) > maxAvatarBytes || !utf8.ValidString(s) || !oneEmoji(s) {
		return "", rooms.Errorf(rooms.EINVALID, "Your avatar must be a single emoji.")
	}
	return s, nil
}

// oneEmoji reports whether s is one emoji: a symbol (Unicode So),
// optionally followed by variation selectors or combining marks (Mn),
// skin-tone modifiers, and further symbols joined to it by a zero-width
// joiner; or a pair of regional indicators (a flag). It is a small
// approximation of an extended grapheme cluster (UAX #29) that is enough
// to refuse text while accepting the emoji people pick.
func oneEmoji(s string) bool {
	runes := []rune(s)
	if len(runes) == 2 && isRegionalIndicator(runes[0]) && isRegionalIndicator(runes[1]) {
		return true
	}
	if !unicode.Is(unicode.So, runes[0]) || isRegionalIndicator(runes[0]) {
		return false
	}
	for i := 1; i < len(runes); i++ {
		c := runes[i]
		switch {
		case c == zwj:
			// A joiner must join two symbols.
			if i+1 == len(runes) || !unicode.Is(unicode.So, runes[i+1]) || isRegionalIndicator(runes[i+1]) {
				return false
			}
			i++
		case unicode.Is(unicode.Mn, c), isSkinTone(c):
		default:
			// Anything else, a second symbol included, starts a second
			// character.
			return false
		}
	}
	return true
}

// zwj is the zero-width joiner that glues emoji into one (👩‍💻).
const zwj = '\u200d'

func isRegionalIndicator(c rune) bool { return c >= 0x1F1E6 && c <= 0x1F1FF }

// isSkinTone reports whether c is one of the five emoji modifiers
// (Fitzpatrick skin tones, Unicode Sk).
func isSkinTone(c rune) bool { return c >= 0x1F3FB && c <= 0x1F3FF }
