package rooms

import "time"

// ReportID identifies a report.
type ReportID string

// MaxReportReason bounds a report's reason.
const MaxReportReason = 1000

// Report is a participant's report of a room to the moderators. It holds
// the room's name and who was in the call at that moment, never audio or
// video. The reporter is kept for the moderators only; the host is never
// told.
type Report struct {
	ID       ReportID
	RoomID   RoomID
	RoomName string
	Reason   string
	// ReporterUser or ReporterGuest is who reported.
	ReporterUser  UserID
	ReporterGuest GuestID
	ReporterName  string
	// Inside is who was in the call when the report was made.
	Inside    []ReportedPerson
	CreatedAt time.Time
	// ResolvedAt is set when a moderator closes the report.
	ResolvedAt *time.Time
}

// ReportedPerson is one person who was in the call when it was reported.
type ReportedPerson struct {
	UserID      UserID  `json:"userId,omitempty"`
	GuestID     GuestID `json:"guestId,omitempty"`
	DisplayName string  `json:"displayName"`
	Host        bool    `json:"host"`
}

// Bar is a person removed from a room by its host: they cannot come back
// until the host lifts the bar. Exactly one of UserID and GuestID is set.
// Devices are the browsers the person was in the room from: they are
// barred too (whoever uses them), and freed when the bar is lifted.
type Bar struct {
	RoomID      RoomID
	UserID      UserID
	GuestID     GuestID
	Devices     []DeviceID
	DisplayName string
	CreatedAt   time.Time
}
