package msgtrktest

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// Version is the Exchange release whose logs the simulator writes. It
// decides the columns, the #Version: header, which files exist and which
// features can occur.
type Version uint8

// The versions. VersionUnknown, the zero value, means V2016 in a Config.
const (
	VersionUnknown Version = iota
	// V2007: 21 columns (no network-message-id, directionality, tenant-id,
	// original IPs, custom-data; format.md §2), #Version 8.0.0.0 (a guess,
	// §13). The Mailbox role logs the SUBMIT in its MSGTRKM; the transport
	// that picks the message up logs the STOREDRIVER RECEIVE and delivers
	// it itself (STOREDRIVER DELIVER, DEFER, FAIL in its MSGTRK; §1.1 and
	// the 2007 TechNet pages: "STOREDRIVER RECEIVE is logged by the
	// transport … STOREDRIVER SUBMIT by the Mail Submission service").
	// Only the 2007 events (§9.1): no NOTIFYMAPI, AGENTINFO, DROP,
	// DUPLICATEEXPAND, DUPLICATEREDIRECT (a REDIRECT instead), LOAD, shadow
	// redundancy or Safety Net; so no Drop, Shadow or Resubmit messages.
	V2007
	// V2010: 26 columns, no network-message-id; the Mailbox role and the
	// transport as in 2007, the transport also logging NOTIFYMAPI (as the
	// real 2010 MSGTRK sample does); no shadow redundancy, no Safety Net
	// resubmission.
	V2010
	// V2013: 27 columns (adds network-message-id); MSGTRKMS and MSGTRKMD
	// on mailbox servers; the HAREDIRECT reply has InternalId and Hostname
	// swapped, as the 2013 writer does.
	V2013
	// V2016: 30 columns (adds transport-traffic-type, log-id,
	// schema-version).
	V2016
	// V2019: 30 columns, as V2016.
	V2019
	numVersions
)

var versionNames = [numVersions]string{"unknown", "2007", "2010", "2013", "2016", "2019"}

// String returns "2007", "2010", "2013", "2016", "2019", "unknown" or
// "Version(n)".
func (v Version) String() string {
	if v < numVersions {
		return versionNames[v]
	}
	return "Version(" + strconv.Itoa(int(v)) + ")"
}

// ParseVersion returns the Version named by s ("2007", "2010", "2013",
// "2016", "2019"); ok is false for anything else.
func ParseVersion(s string) (v Version, ok bool) {
	for i := V2007; i < numVersions; i++ {
		if versionNames[i] == s {
			return i, true
		}
	}
	return VersionUnknown, false
}

// Build returns the build number written in #Version: and schema-version:
// "8.0.0.0" (2007: no real header was found, format.md §13; written as the
// real 2010 one is), "14.0.0.0" (as in the real 2010 sample), "15.00.1497.002" (2013 CU23),
// "15.01.2507.039" (2016 CU23) or "15.02.1544.004" (2019 CU14).
func (v Version) Build() string {
	switch v {
	case V2007:
		return "8.0.0.0"
	case V2010:
		return "14.0.0.0"
	case V2013:
		return "15.00.1497.002"
	case V2016:
		return "15.01.2507.039"
	case V2019:
		return "15.02.1544.004"
	}
	return ""
}

// Layout returns the column layout of the version's files.
func (v Version) Layout() msgtrk.Layout {
	switch v {
	case V2007:
		return msgtrk.Layout2007
	case V2010:
		return msgtrk.Layout2010
	case V2013:
		return msgtrk.Layout2013
	}
	return msgtrk.Layout2016
}

// Kind is the scenario a simulated message follows. Every message has one;
// it is recorded in the truth for test diagnostics.
type Kind uint8

// The kinds. The numbers in the comments are those of the simulator's
// brief; KindDSN messages are not drawn from the Mix but created by a
// KindFail message.
const (
	KindUnknown       Kind = iota
	KindStore              // 1: submitted from a mailbox (Outlook MOMT, OWA, ActiveSync, EWS), To/Cc/Bcc, internal and external
	KindSMTPAuth           // 2: SMTP client, authenticated ("07I: ")
	KindSMTPAnonymous      // 3: SMTP client, anonymous relay ("0cA: ", ProxiedClientIPAddress)
	KindInbound            // 4: from the Internet, through the Edge or a front end
	KindOutbound           // 5: to the Internet (SEND to the Edge then SENDEXTERNAL, or SENDEXTERNAL on the hub; SEND before 2016)
	KindGroup              // 6: distribution groups: nesting, a member reached twice, external members
	KindBifurcation        // 7: TRANSFER of some recipients to a forked copy
	KindResolve            // 8: an alias (RESOLVE) and/or a forwarding mailbox (REDIRECT)
	KindFail               // 9: a recipient fails (DELIVERFAIL and/or FAIL); an NDR follows
	KindDefer              // 10: DEFER then delivery, or DEFER only (pending)
	KindDrop               // 11: a recipient silently dropped by an agent
	KindShadow             // 12: shadow redundancy (HAREDIRECT, HARECEIVE, HADISCARD) or HAREDIRECTFAIL
	KindResubmit           // 13: Safety Net RESUBMIT and a DUPLICATEDELIVER
	KindDSN                // the NDR created by a KindFail message
	numKinds
)

var kindNames = [numKinds]string{
	"unknown", "store", "smtp-auth", "smtp-anonymous", "inbound", "outbound",
	"group", "bifurcation", "resolve", "fail", "defer", "drop", "shadow",
	"resubmit", "dsn",
}

// String returns the kind's short name ("store", "smtp-auth", …), as used
// by cmd/mtsim's -mix flag, or "Kind(n)".
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText implements encoding.TextMarshaler (the truth's JSON form).
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *Kind) UnmarshalText(b []byte) error {
	v, ok := ParseKind(string(b))
	if !ok {
		return fmt.Errorf("msgtrktest: unknown kind %q", b)
	}
	*k = v
	return nil
}

// ParseKind returns the Kind named s (see Kind.String).
func ParseKind(s string) (Kind, bool) {
	for i := Kind(0); i < numKinds; i++ {
		if kindNames[i] == s {
			return i, true
		}
	}
	return KindUnknown, false
}

// MixKinds are the kinds a Mix weighs, in order.
var MixKinds = []Kind{
	KindStore, KindSMTPAuth, KindSMTPAnonymous, KindInbound, KindOutbound,
	KindGroup, KindBifurcation, KindResolve, KindFail, KindDefer, KindDrop,
	KindShadow, KindResubmit,
}

// Mix weighs the message kinds: a message is of kind k with probability
// weight(k) / sum of weights. The zero Mix means DefaultMix. Negative
// weights are an error. Moderation (INITMESSAGECREATED, MODERATORAPPROVE)
// is not simulated.
type Mix struct {
	Store         float64 // KindStore
	SMTPAuth      float64 // KindSMTPAuth
	SMTPAnonymous float64 // KindSMTPAnonymous
	Inbound       float64 // KindInbound
	Outbound      float64 // KindOutbound
	Group         float64 // KindGroup
	Bifurcation   float64 // KindBifurcation
	Resolve       float64 // KindResolve
	Fail          float64 // KindFail (each also makes a KindDSN message)
	Defer         float64 // KindDefer
	Drop          float64 // KindDrop (not with V2007)
	Shadow        float64 // KindShadow (not with V2007 and V2010)
	Resubmit      float64 // KindResubmit (not with V2007 and V2010)
}

// DefaultMix is the mix used when Config.Mix is zero: mostly mailbox and
// Internet mail, a few percent of each special case.
var DefaultMix = Mix{
	Store: 30, SMTPAuth: 6, SMTPAnonymous: 6, Inbound: 20, Outbound: 12,
	Group: 6, Bifurcation: 4, Resolve: 4, Fail: 3, Defer: 3, Drop: 2,
	Shadow: 3, Resubmit: 1,
}

// Weight returns the weight of kind k (0 for kinds a Mix does not weigh).
func (m Mix) Weight(k Kind) float64 {
	switch k {
	case KindStore:
		return m.Store
	case KindSMTPAuth:
		return m.SMTPAuth
	case KindSMTPAnonymous:
		return m.SMTPAnonymous
	case KindInbound:
		return m.Inbound
	case KindOutbound:
		return m.Outbound
	case KindGroup:
		return m.Group
	case KindBifurcation:
		return m.Bifurcation
	case KindResolve:
		return m.Resolve
	case KindFail:
		return m.Fail
	case KindDefer:
		return m.Defer
	case KindDrop:
		return m.Drop
	case KindShadow:
		return m.Shadow
	case KindResubmit:
		return m.Resubmit
	}
	return 0
}

// SetWeight sets the weight of kind k; it reports false for a kind a Mix
// does not weigh.
func (m *Mix) SetWeight(k Kind, w float64) bool {
	switch k {
	case KindStore:
		m.Store = w
	case KindSMTPAuth:
		m.SMTPAuth = w
	case KindSMTPAnonymous:
		m.SMTPAnonymous = w
	case KindInbound:
		m.Inbound = w
	case KindOutbound:
		m.Outbound = w
	case KindGroup:
		m.Group = w
	case KindBifurcation:
		m.Bifurcation = w
	case KindResolve:
		m.Resolve = w
	case KindFail:
		m.Fail = w
	case KindDefer:
		m.Defer = w
	case KindDrop:
		m.Drop = w
	case KindShadow:
		m.Shadow = w
	case KindResubmit:
		m.Resubmit = w
	default:
		return false
	}
	return true
}

// Folders says how the simulated collection names each server's logs:
// the rows say which server wrote them whatever the folder (format.md §4),
// so a correlator must give the same answers for every choice.
type Folders uint8

// The folder layouts.
const (
	FoldersServer  Folders = iota // <SERVER>/MSGTRK….LOG, e.g. EX01/ (the default)
	FoldersFQDN                   // ex01.corp.contoso.com/
	FoldersLower                  // ex01/
	FoldersRenamed                // mbx-a/, mbx-b/, …, edge-a/, …: names that are no server's
	FoldersFlat                   // logs/EX01_MSGTRK….LOG: the server's name in the file name
	numFolders
)

var folderNames = [numFolders]string{"server", "fqdn", "lower", "renamed", "flat"}

// String returns "server", "fqdn", "lower", "renamed", "flat" or
// "Folders(n)".
func (f Folders) String() string {
	if f < numFolders {
		return folderNames[f]
	}
	return "Folders(" + strconv.Itoa(int(f)) + ")"
}

// ParseFolders returns the Folders named s (see Folders.String).
func ParseFolders(s string) (Folders, bool) {
	for i := Folders(0); i < numFolders; i++ {
		if folderNames[i] == s {
			return i, true
		}
	}
	return 0, false
}

// NoEdge, as Config.EdgeServers, means an organisation without Edge
// servers (0 means the default, one Edge server).
const NoEdge = -1

// Limits on a Config, to keep a typo from exhausting memory.
const (
	MaxMailboxServers = 99
	MaxEdgeServers    = 9
	MaxUsers          = 100000
	MaxGroups         = 1000
)

// Config describes an organisation and the traffic to simulate. The zero
// value of each field means its documented default.
type Config struct {
	// Seed selects the organisation and the traffic: the same Config gives
	// the same bytes.
	Seed uint64
	// MailboxServers in one DAG; default 3.
	MailboxServers int
	// EdgeServers in the perimeter network; default 1, NoEdge (or any
	// negative value) for none.
	EdgeServers int
	// Users with a mailbox (default 50, at least 4); Groups, distribution
	// groups (default 6; negative for none).
	Users, Groups int
	// Messages to generate (KindDSN messages come on top); 0 for no limit
	// when Events is set.
	Messages int
	// Events, when > 0, stops generation after the message during which
	// the number of rows generated reached it (the truth's Events may be a
	// few rows more, or fewer when rows are cut). With Messages and Events
	// both 0 nothing is generated.
	Events int
	// Start is the time of the first message; default 2024-03-04T08:00:00Z.
	Start time.Time
	// Rate is the mean number of messages per second of simulated time
	// (Poisson arrivals); default 2.
	Rate float64
	// Version of Exchange; default V2016.
	Version Version
	// MaxSkew: each server's clock offset is drawn from [-MaxSkew,
	// +MaxSkew] (whole milliseconds) and applies to every time that server
	// stamps: date-time, session start times, retry times, LRT, #Date and
	// the file names. Times a message carries from another server (the
	// origination time in message-info, ClientSubmitTime) keep the clock of
	// the server that stamped them.
	MaxSkew time.Duration
	// DuplicateFiles: this many files (the first ones opened) are also
	// written a second time, byte for byte, under
	// <SERVER>/MessageTracking/.
	DuplicateFiles int
	// TruncateFiles: at most this many files lose the end of their last
	// line. Only a file whose last row is an AGENTINFO or HADISCARD row is
	// cut (so that no outcome changes), first closed first; the truth says
	// which files were (Truth.Cut, FileTruth.TruncatedLine). Files end with
	// such rows when shadow redundancy is common: hubs log HADISCARD last.
	TruncateFiles int
	// MaxFileBytes: a file is rotated to the next -N file before a row
	// would take it past this size; default 10 MB, as Exchange.
	MaxFileBytes int
	// Mix weighs the message kinds; zero means DefaultMix. With V2010 the
	// default mix has no Shadow and Resubmit messages, and setting them is
	// an error.
	Mix Mix
	// Meetings is the share of store submissions that are meeting
	// requests: from 2013 on the delivery server's meeting processor logs
	// a PROCESSMEETINGMESSAGE after each DELIVER, its internal-message-id
	// holding the message-id (format.md §4, §9.3). Restarts is the chance
	// that a transport restarts while a deferred copy waits in its queue:
	// the copy is loaded again at boot (LOAD, source BOOTLOADER, §9.1; half
	// the time under a new internal-message-id), from 2010 on. Both are
	// drawn apart from the rest, so that setting them leaves the other
	// rows as they were; 0 (the default) for none.
	Meetings, Restarts float64
	// Folders names the servers' folders (or files); FileTruth.Server is
	// the server's name whatever the layout.
	Folders Folders
	// ProtocolLogs also writes the SMTP protocol logs (Verbose level) and
	// the connectivity logs of the organisation (format.md §14) under each
	// server's folder, at TransportRoles/Logs/<service>/ProtocolLog/… and
	// …/Connectivity: every SMTP hand-over of the tracking logs with the
	// sessions behind it on both ends, the front end's sessions for a
	// proxied client, shadow redundancy replies, the 4xx of each DEFER and
	// the 5xx of an external FAIL. MessageTruth.Sessions says which
	// session carried which message. The tracking logs are the same bytes
	// with or without. Not written by Sim.Stream.
	ProtocolLogs bool
	// OnMessage, when set, receives each message's truth as soon as every
	// row of the message is written (in that order, not in start order),
	// and Truth.Messages stays nil, so that memory stays bounded however
	// many messages are generated. The value is the caller's to keep.
	OnMessage func(MessageTruth)
}

// ErrConfig reports an invalid Config.
var ErrConfig = errors.New("msgtrktest: invalid config")

func configError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
}

// withDefaults validates cfg and fills in its defaults.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.MailboxServers == 0 {
		cfg.MailboxServers = 3
	}
	if cfg.MailboxServers < 1 || cfg.MailboxServers > MaxMailboxServers {
		return cfg, configError("MailboxServers %d out of range [1, %d]", cfg.MailboxServers, MaxMailboxServers)
	}
	switch {
	case cfg.EdgeServers == 0:
		cfg.EdgeServers = 1
	case cfg.EdgeServers < 0:
		cfg.EdgeServers = 0
	case cfg.EdgeServers > MaxEdgeServers:
		return cfg, configError("EdgeServers %d above %d", cfg.EdgeServers, MaxEdgeServers)
	}
	if cfg.Users == 0 {
		cfg.Users = 50
	}
	if cfg.Users < 4 || cfg.Users > MaxUsers {
		return cfg, configError("Users %d out of range [4, %d]", cfg.Users, MaxUsers)
	}
	switch {
	case cfg.Groups == 0:
		cfg.Groups = 6
	case cfg.Groups < 0:
		cfg.Groups = 0
	case cfg.Groups > MaxGroups:
		return cfg, configError("Groups %d above %d", cfg.Groups, MaxGroups)
	}
	if cfg.Messages < 0 || cfg.Events < 0 {
		return cfg, configError("negative Messages or Events")
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)
	}
	cfg.Start = cfg.Start.UTC().Truncate(time.Millisecond)
	if cfg.Start.Year() < 2000 || cfg.Start.Year() > 9000 {
		return cfg, configError("Start %v out of range", cfg.Start)
	}
	if cfg.Rate == 0 {
		cfg.Rate = 2
	}
	if !(cfg.Rate > 0 && cfg.Rate <= 10000) {
		return cfg, configError("Rate %v out of range (0, 10000]", cfg.Rate)
	}
	if cfg.Version == VersionUnknown {
		cfg.Version = V2016
	}
	if cfg.Version >= numVersions {
		return cfg, configError("unknown Version %d", cfg.Version)
	}
	if cfg.MaxSkew < 0 || cfg.MaxSkew > 24*time.Hour {
		return cfg, configError("MaxSkew %v out of range [0, 24h]", cfg.MaxSkew)
	}
	if cfg.DuplicateFiles < 0 || cfg.TruncateFiles < 0 {
		return cfg, configError("negative DuplicateFiles or TruncateFiles")
	}
	if cfg.MaxFileBytes == 0 {
		cfg.MaxFileBytes = 10 << 20
	}
	if cfg.Folders >= numFolders {
		return cfg, configError("unknown Folders %d", cfg.Folders)
	}
	if cfg.MaxFileBytes < 4096 {
		return cfg, configError("MaxFileBytes %d below 4096", cfg.MaxFileBytes)
	}
	if cfg.Mix == (Mix{}) {
		cfg.Mix = DefaultMix
		if cfg.Version <= V2010 {
			cfg.Mix.Shadow, cfg.Mix.Resubmit = 0, 0
		}
		if cfg.Version == V2007 {
			cfg.Mix.Drop = 0
		}
	}
	total := 0.0
	for _, k := range MixKinds {
		w := cfg.Mix.Weight(k)
		if !(w >= 0 && w < 1e12) {
			return cfg, configError("weight of %v is %v", k, w)
		}
		total += w
	}
	if total == 0 {
		return cfg, configError("every Mix weight is zero")
	}
	if cfg.Version <= V2010 && (cfg.Mix.Shadow > 0 || cfg.Mix.Resubmit > 0) {
		return cfg, configError("Exchange %v logs have no shadow redundancy or Safety Net events (Mix.Shadow, Mix.Resubmit)", cfg.Version)
	}
	if cfg.Version == V2007 && cfg.Mix.Drop > 0 {
		return cfg, configError("Exchange 2007 logs have no DROP event (Mix.Drop)")
	}
	if !(cfg.Meetings >= 0 && cfg.Meetings <= 1) || !(cfg.Restarts >= 0 && cfg.Restarts <= 1) {
		return cfg, configError("Meetings %v or Restarts %v out of [0, 1]", cfg.Meetings, cfg.Restarts)
	}
	return cfg, nil
}
