package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/roomsdev/rooms/internal/auth"
	"github.com/roomsdev/rooms/internal/rooms"
)

// maxGroupName bounds a group's name, in characters.
const maxGroupName = 100

// groupJSON is a group as one of its members sees it. Members are only
// listed when one group is asked for.
type groupJSON struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	CreatedBy string       `json:"createdBy"`
	IsAdmin   bool         `json:"isAdmin"`
	Members   []memberJSON `json:"members,omitempty"`
}

// memberJSON is one member of a group.
type memberJSON struct {
	Profile profileJSON `json:"profile"`
	Admin   bool        `json:"admin"`
}

func toGroupJSON(g *rooms.Group, admin bool) *groupJSON {
	return &groupJSON{ID: string(g.ID), Name: g.Name, CreatedBy: string(g.CreatedBy), IsAdmin: admin}
}

func errNoSuchGroup() error { return rooms.Errorf(rooms.ENOTFOUND, "No such group.") }

func errNotMember() error {
	return rooms.Errorf(rooms.ENOTFOUND, "That person is not in this group.")
}

// groupFor loads the group {id} for me, who must be a member: to anyone
// else the group does not exist. admin reports whether me is an admin.
func (s *Server) groupFor(ctx context.Context, r *http.Request, me rooms.UserID) (g *rooms.Group, admin bool, err error) {
	id := rooms.GroupID(r.PathValue("id"))
	if !wellFormedID(string(id)) {
		return nil, false, errNoSuchGroup()
	}
	member, admin, err := s.store.Membership(ctx, id, me)
	if err != nil {
		return nil, false, err
	}
	if !member {
		return nil, false, errNoSuchGroup()
	}
	g, err = s.store.GroupByID(ctx, id)
	if rooms.ErrorCode(err) == rooms.ENOTFOUND {
		return nil, false, errNoSuchGroup()
	}
	return g, admin, err
}

// groupMember loads one member's entry as v sees it.
func (s *Server) groupMember(ctx context.Context, v *viewer, id rooms.UserID, admin bool) (memberJSON, error) {
	p, err := s.loadProfile(ctx, v, id)
	return memberJSON{Profile: p, Admin: admin}, err
}

// handleCreateGroup creates a group with the caller as its first admin.
func (s *Server) handleCreateGroup(w http.ResponseWriter, r *http.Request) {
	me, ok := s.signedIn(w, r, "create a group")
	if !ok {
		return
	}
	var req struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	name, err := rooms.CleanText(req.Name, "The group name", 1, maxGroupName)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	mine, err := s.store.GroupsOf(ctx, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(mine) >= maxGroupsPerPerson {
		s.writeError(w, r, rooms.Errorf(rooms.ECONFLICT,
			"You are in %d groups, the most there can be. Leave one before creating another.", maxGroupsPerPerson))
		return
	}
	g := &rooms.Group{ID: rooms.GroupID(auth.NewID()), Name: name, CreatedBy: me, CreatedAt: time.Now().UTC()}
	if err := s.store.CreateGroup(ctx, g); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.viewerOf(ctx, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.groupMember(ctx, v, me, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := toGroupJSON(g, true)
	out.Members = []memberJSON{m}
	s.log.InfoContext(ctx, "group created", "group", g.ID)
	writeJSON(w, http.StatusCreated, map[string]any{"group": out})
}

// handleListGroups lists the groups the caller is in, without members.
func (s *Server) handleListGroups(w http.ResponseWriter, r *http.Request) {
	me, ok := s.signedIn(w, r, "see your groups")
	if !ok {
		return
	}
	ctx := r.Context()
	groups, err := s.store.GroupsOf(ctx, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(groups) > maxListed {
		groups = groups[:maxListed]
	}
	out := make([]*groupJSON, 0, len(groups))
	for _, g := range groups {
		_, admin, err := s.store.Membership(ctx, g.ID, me)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out = append(out, toGroupJSON(g, admin))
	}
	writeJSON(w, http.StatusOK, map[string]any{"groups": out})
}

// handleGetGroup answers a group with its members, to its members only.
func (s *Server) handleGetGroup(w http.ResponseWriter, r *http.Request) {
	me, ok := s.signedIn(w, r, "see your groups")
	if !ok {
		return
	}
	ctx := r.Context()
	g, admin, err := s.groupFor(ctx, r, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	members, err := s.store.Members(ctx, g.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.viewerOf(ctx, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(members) > maxListed {
		members = members[:maxListed]
	}
	out := toGroupJSON(g, admin)
	out.Members = make([]memberJSON, 0, len(members))
	for _, m := range members {
		j, err := s.groupMember(ctx, v, m.UserID, m.Admin)
		if rooms.ErrorCode(err) == rooms.ENOTFOUND {
			continue
		} else if err != nil {
			s.writeError(w, r, err)
			return
		}
		out.Members = append(out.Members, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"group": out})
}

// handleAddMember adds a person to the group, as a member or an admin;
// only admins may. Adding someone already in the group can make them an
// admin but never takes that away.
func (s *Server) handleAddMember(w http.ResponseWriter, r *http.Request) {
	g, me, ok := s.groupAsAdmin(w, r, "Only the group's admins can add people.")
	if !ok {
		return
	}
	ctx := r.Context()
	var req struct {
		UserID string `json:"userId"`
		Admin  bool   `json:"admin"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	other, err := bodyUserID(req.UserID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.visiblePerson(ctx, me, other, "You are already in this group."); err != nil {
		s.writeError(w, r, err)
		return
	}
	isMember, isAdmin, err := s.store.Membership(ctx, g.ID, other)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if !isMember {
		if err := s.checkGroupLimits(ctx, g.ID, other); err != nil {
			s.writeError(w, r, err)
			return
		}
		status = http.StatusCreated
	}
	if !isMember || (req.Admin && !isAdmin) {
		isAdmin = isAdmin || req.Admin
		if err := s.store.AddMember(ctx, g.ID, other, isAdmin); err != nil {
			s.writeError(w, r, err)
			return
		}
		s.dropIns.notify(other)
	}
	s.writeGroupMember(w, r, me, other, isAdmin, status)
}

// checkGroupLimits checks that the group and the person joining it are both
// under their limits.
func (s *Server) checkGroupLimits(ctx context.Context, g rooms.GroupID, other rooms.UserID) error {
	members, err := s.store.Members(ctx, g)
	if err != nil {
		return err
	}
	if len(members) >= maxGroupMembers {
		return rooms.Errorf(rooms.ECONFLICT, "This group has %d members, the most there can be.", maxGroupMembers)
	}
	theirs, err := s.store.GroupsOf(ctx, other)
	if err != nil {
		return err
	}
	if len(theirs) >= maxGroupsPerPerson {
		return rooms.Errorf(rooms.ECONFLICT, "That person is in too many groups to join another.")
	}
	return nil
}

// writeGroupMember answers {member} for other, as me sees them.
func (s *Server) writeGroupMember(w http.ResponseWriter, r *http.Request, me, other rooms.UserID, admin bool, status int) {
	ctx := r.Context()
	v, err := s.viewerOf(ctx, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.groupMember(ctx, v, other, admin)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, map[string]any{"member": m})
}

// handleRemoveMember removes {userId} from the group: admins may remove
// anyone, members only themselves. The last admin cannot go while others
// remain, so a group is never left without an admin.
func (s *Server) handleRemoveMember(w http.ResponseWriter, r *http.Request) {
	me, ok := s.signedIn(w, r, "manage your groups")
	if !ok {
		return
	}
	ctx := r.Context()
	g, admin, err := s.groupFor(ctx, r, me)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	other := rooms.UserID(r.PathValue("userId"))
	if other != me && !admin {
		s.writeError(w, r, rooms.Errorf(rooms.EFORBIDDEN, "Only the group's admins can remove people."))
		return
	}
	if !wellFormedID(string(other)) {
		s.writeError(w, r, errNotMember())
		return
	}
	targetAdmin, admins, members, err := s.memberStanding(ctx, g.ID, other)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if targetAdmin && admins == 1 && members > 1 {
		s.writeError(w, r, rooms.Errorf(rooms.ECONFLICT,
			"The group's last admin can't leave while others are in it. Make someone else an admin first."))
		return
	}
	if err := s.store.RemoveMember(ctx, g.ID, other); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.dropIns.notify(other)
	w.WriteHeader(http.StatusNoContent)
}

// handleAddAdmin makes a member of the group an admin; only admins may.
func (s *Server) handleAddAdmin(w http.ResponseWriter, r *http.Request) {
	g, me, ok := s.groupAsAdmin(w, r, "Only the group's admins can make people admins.")
	if !ok {
		return
	}
	ctx := r.Context()
	var req userIDRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	other, err := bodyUserID(req.UserID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !wellFormedID(string(other)) {
		s.writeError(w, r, errNotMember())
		return
	}
	isMember, isAdmin, err := s.store.Membership(ctx, g.ID, other)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !isMember {
		s.writeError(w, r, errNotMember())
		return
	}
	if !isAdmin {
		if err := s.store.AddMember(ctx, g.ID, other, true); err != nil {
			s.writeError(w, r, err)
			return
		}
		s.dropIns.notify(other) // admins pass a group room's lock
	}
	s.writeGroupMember(w, r, me, other, true, http.StatusOK)
}

// handleRemoveAdmin makes the admin {userId} a member again; only admins
// may, of others or of themselves. The last admin stays one, so a group
// is never left without an admin.
func (s *Server) handleRemoveAdmin(w http.ResponseWriter, r *http.Request) {
	g, me, ok := s.groupAsAdmin(w, r, "Only the group's admins can change who is an admin.")
	if !ok {
		return
	}
	ctx := r.Context()
	other := rooms.UserID(r.PathValue("userId"))
	if !wellFormedID(string(other)) {
		s.writeError(w, r, errNotMember())
		return
	}
	targetAdmin, admins, _, err := s.memberStanding(ctx, g.ID, other)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if targetAdmin && admins == 1 {
		s.writeError(w, r, rooms.Errorf(rooms.ECONFLICT,
			"A group always has an admin. Make someone else an admin first."))
		return
	}
	if targetAdmin {
		if err := s.store.AddMember(ctx, g.ID, other, false); err != nil {
			s.writeError(w, r, err)
			return
		}
		s.dropIns.notify(other) // only admins pass a group room's lock
	}
	s.writeGroupMember(w, r, me, other, false, http.StatusOK)
}

// memberStanding says whether user is an admin of group g, how many
// admins it has and how many members: what removing someone or taking
// back their admin role must not break (a group always keeps an admin).
// A user who is not a member is errNotMember.
func (s *Server) memberStanding(ctx context.Context, g rooms.GroupID, user rooms.UserID) (admin bool, admins, members int, err error) {
	all, err := s.store.Members(ctx, g)
	if err != nil {
		return false, 0, 0, err
	}
	found := false
	for _, m := range all {
		if m.Admin {
			admins++
		}
		if m.UserID == user {
			found, admin = true, m.Admin
		}
	}
	if !found {
		return false, 0, 0, errNotMember()
	}
	return admin, admins, len(all), nil
}

// groupAsAdmin answers the request's group when a signed-in admin of it
// asks; otherwise it writes why not (refusal, to a member who is not an
// admin) and answers false. me is who asks.
func (s *Server) groupAsAdmin(w http.ResponseWriter, r *http.Request, refusal string) (*rooms.Group, rooms.UserID, bool) {
	me, ok := s.signedIn(w, r, "manage your groups")
	if !ok {
		return nil, "", false
	}
	g, admin, err := s.groupFor(r.Context(), r, me)
	if err != nil {
		s.writeError(w, r, err)
		return nil, "", false
	}
	if !admin {
		s.writeError(w, r, rooms.Errorf(rooms.EFORBIDDEN, "%s", refusal))
		return nil, "", false
	}
	return g, me, true
}
