package httpapi

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// groupAnswer is the answer about one group.
type groupAnswer struct {
	Group struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		CreatedBy string `json:"createdBy"`
		IsAdmin   bool   `json:"isAdmin"`
		Members   []struct {
			Profile socialProfile `json:"profile"`
			Admin   bool          `json:"admin"`
		} `json:"members"`
	} `json:"group"`
}

// TestGroupAdmins checks who may see a group, add and remove people and
// make admins, and that the last admin cannot leave while others remain.
func TestGroupAdmins(t *testing.T) {
	env := newSocialEnv(t)
	ada, bob, cat, dan := env.signUp("Ada"), env.signUp("Bob"), env.signUp("Cat"), env.signUp("Dan")

	var g groupAnswer
	ada.must(http.StatusCreated, "POST", "/api/groups", map[string]any{"name": "  Book club "}, &g)
	if g.Group.Name != "Book club" || g.Group.CreatedBy != ada.id || !g.Group.IsAdmin ||
		len(g.Group.Members) != 1 || !g.Group.Members[0].Admin {
		t.Fatalf("new group %+v", g.Group)
	}
	base := "/api/groups/" + g.Group.ID

	// Outsiders see nothing; the same answer as for no group at all.
	notFound := bob.refused(http.StatusNotFound, "GET", base, nil)
	if other := bob.refused(http.StatusNotFound, "GET", "/api/groups/nosuchgroup", nil); other != notFound {
		t.Errorf("an outsider gets %q, a missing group %q", notFound, other)
	}
	bob.refused(http.StatusNotFound, "POST", base+"/members", map[string]any{"userId": bob.id})

	ada.must(http.StatusCreated, "POST", base+"/members", map[string]any{"userId": bob.id}, nil)
	ada.must(http.StatusOK, "POST", base+"/members", map[string]any{"userId": bob.id}, nil) // already in
	bob.must(http.StatusOK, "GET", base, nil, &g)
	if g.Group.IsAdmin || len(g.Group.Members) != 2 {
		t.Fatalf("bob sees %+v", g.Group)
	}
	for _, m := range g.Group.Members {
		if m.Profile.Email != "" {
			t.Errorf("a group shows a non-friend's email: %+v", m.Profile)
		}
	}

	// Members who are not admins cannot add, promote or remove others.
	bob.refused(http.StatusForbidden, "POST", base+"/members", map[string]any{"userId": cat.id})
	bob.refused(http.StatusForbidden, "POST", base+"/admins", map[string]any{"userId": bob.id})
	bob.refused(http.StatusForbidden, "DELETE", base+"/members/"+ada.id, nil)

	// The last admin cannot leave while bob remains.
	msg := ada.refused(http.StatusConflict, "DELETE", base+"/members/"+ada.id, nil)
	if !strings.Contains(msg, "admin") {
		t.Errorf("last admin leaving: %q", msg)
	}

	// Blocked people cannot be added, whoever blocked whom.
	dan.must(http.StatusNoContent, "POST", "/api/blocks", map[string]any{"userId": ada.id}, nil)
	ada.refused(http.StatusNotFound, "POST", base+"/members", map[string]any{"userId": dan.id})
	ada.refused(http.StatusBadRequest, "POST", base+"/members", map[string]any{"userId": ada.id})
	ada.refused(http.StatusNotFound, "POST", base+"/admins", map[string]any{"userId": cat.id}) // not a member

	ada.must(http.StatusOK, "POST", base+"/admins", map[string]any{"userId": bob.id}, nil)
	bob.must(http.StatusCreated, "POST", base+"/members", map[string]any{"userId": cat.id}, nil)
	ada.must(http.StatusNoContent, "DELETE", base+"/members/"+ada.id, nil, nil)
	ada.refused(http.StatusNotFound, "GET", base, nil)

	// A member may leave; an admin may remove a member.
	cat.must(http.StatusNoContent, "DELETE", base+"/members/"+cat.id, nil, nil)
	bob.refused(http.StatusNotFound, "DELETE", base+"/members/"+cat.id, nil)
	bob.must(http.StatusOK, "GET", base, nil, &g)
	if len(g.Group.Members) != 1 || g.Group.Members[0].Profile.ID != bob.id || !g.Group.Members[0].Admin {
		t.Fatalf("after leaving %+v", g.Group)
	}
	// Alone, the last admin may go.
	bob.must(http.StatusNoContent, "DELETE", base+"/members/"+bob.id, nil, nil)
}

// TestGroupList checks the list of one's groups and the name's bounds.
func TestGroupList(t *testing.T) {
	env := newSocialEnv(t)
	ada, bob := env.signUp("Ada"), env.signUp("Bob")
	var g groupAnswer
	ada.must(http.StatusCreated, "POST", "/api/groups", map[string]any{"name": "Climbing"}, &g)
	ada.must(http.StatusCreated, "POST", "/api/groups/"+g.Group.ID+"/members", map[string]any{"userId": bob.id}, nil)
	bob.must(http.StatusCreated, "POST", "/api/groups", map[string]any{"name": "Chess"}, nil)

	var list struct {
		Groups []struct {
			Name    string `json:"name"`
			IsAdmin bool   `json:"isAdmin"`
			Members []any  `json:"members"`
		} `json:"groups"`
	}
	bob.must(http.StatusOK, "GET", "/api/groups", nil, &list)
	var names []string
	for _, g := range list.Groups {
		names = append(names, g.Name)
		if g.IsAdmin != (g.Name == "Chess") || g.Members != nil {
			t.Errorf("listed %+v", g)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"Chess", "Climbing"}) {
		t.Errorf("bob's groups %v", names)
	}

	for _, name := range []string{"", "   ", strings.Repeat("x", 101), "a\nb"} {
		ada.refused(http.StatusBadRequest, "POST", "/api/groups", map[string]any{"name": name})
	}
	ada.refused(http.StatusBadRequest, "POST", "/api/groups", map[string]any{"name": 5})
}

// TestGroupAdminsAreManaged: an admin can take back another admin's role
// and remove an admin from the group; members cannot; the last admin
// stays one, so a group always has an admin.
func TestGroupAdminsAreManaged(t *testing.T) {
	env := newSocialEnv(t)
	ada, bob, cat := env.signUp("Ada"), env.signUp("Bob"), env.signUp("Cat")
	var g groupAnswer
	ada.must(http.StatusCreated, "POST", "/api/groups", map[string]any{"name": "Book nerds"}, &g)
	base := "/api/groups/" + g.Group.ID
	ada.must(http.StatusCreated, "POST", base+"/members", map[string]any{"userId": bob.id}, nil)
	ada.must(http.StatusCreated, "POST", base+"/members", map[string]any{"userId": cat.id}, nil)
	ada.must(http.StatusOK, "POST", base+"/admins", map[string]any{"userId": bob.id}, nil)

	isAdmin := func(id string) bool {
		t.Helper()
		var got groupAnswer
		ada.must(http.StatusOK, "GET", base, nil, &got)
		for _, m := range got.Group.Members {
			if m.Profile.ID == id {
				return m.Admin
			}
		}
		t.Fatalf("%s is not in the group", id)
		return false
	}

	// A member can't take an admin's role; an admin can.
	cat.refused(http.StatusForbidden, "DELETE", base+"/admins/"+bob.id, nil)
	var m struct {
		Member struct {
			Admin bool `json:"admin"`
		} `json:"member"`
	}
	ada.must(http.StatusOK, "DELETE", base+"/admins/"+bob.id, nil, &m)
	if m.Member.Admin || isAdmin(bob.id) {
		t.Fatal("Bob is still an admin after Ada took it back")
	}
	ada.must(http.StatusOK, "DELETE", base+"/admins/"+bob.id, nil, nil) // a member already
	ada.refused(http.StatusNotFound, "DELETE", base+"/admins/nosuchperson", nil)

	// The last admin can't step down; with another admin, they can.
	ada.refused(http.StatusConflict, "DELETE", base+"/admins/"+ada.id, nil)
	ada.must(http.StatusOK, "POST", base+"/admins", map[string]any{"userId": bob.id}, nil)
	ada.must(http.StatusOK, "DELETE", base+"/admins/"+ada.id, nil, nil)
	if isAdmin(ada.id) || !isAdmin(bob.id) {
		t.Fatal("Ada stepped down, but the roles did not follow")
	}
	// Bob, now the only admin, takes Ada back as admin and then removes
	// her from the group: an admin removed by another.
	bob.must(http.StatusOK, "POST", base+"/admins", map[string]any{"userId": ada.id}, nil)
	bob.must(http.StatusNoContent, "DELETE", base+"/members/"+ada.id, nil, nil)
	bob.refused(http.StatusConflict, "DELETE", base+"/admins/"+bob.id, nil)
}
