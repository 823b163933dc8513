package msgtrktest

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Role is what a server does in the simulated organisation.
type Role uint8

// Server roles.
const (
	RoleUnknown Role = iota
	RoleMailbox      // a Mailbox server of the DAG: front end, hub, submission and delivery
	RoleEdge         // an Edge Transport server in the perimeter network
)

// String returns "mailbox", "edge", "unknown" or "Role(n)".
func (r Role) String() string {
	switch r {
	case RoleMailbox:
		return "mailbox"
	case RoleEdge:
		return "edge"
	case RoleUnknown:
		return "unknown"
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

// MarshalText implements encoding.TextMarshaler.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// Org is the simulated organisation. It is built by New from the Config and
// does not change afterwards; it must not be modified.
type Org struct {
	Domain        string   // "contoso.com", the accepted domain
	AccountForest string   // "corp.contoso.com", the Active Directory forest
	Servers       []Server // Mailbox servers EX01… first, then Edge servers EDGE01…
	Users         []User   // mailboxes: people, then the application accounts
	Groups        []Group  // distribution groups
	Peers         []Peer   // external domains and their mail hosts
	Clients       []Client // SMTP clients (applications, scanners)
	// Postmaster is the sender of NDRs made by a Mailbox server.
	Postmaster string
	// InternetConnector is the name the administrator gave the send
	// connector the Mailbox servers send to the Internet through when
	// there is no Edge ("Outbound to Internet", "Outbound Mail", …: any
	// name, so that nothing may rest on it; with an Edge the EdgeSync
	// connectors are used).
	InternetConnector string
}

// internetConnectors are the names Org.InternetConnector is drawn from.
var internetConnectors = []string{"Outbound to Internet", "Outbound Mail", "Internet Send Connector", "SMTP Out"}

// Server is one Exchange server.
type Server struct {
	Name string // short name in upper case, as in the log folder: "EX01", "EDGE01"
	FQDN string // "ex01.corp.contoso.com", "edge01.contoso.com"
	IP   string // IPv4 address
	IPv6 string // link-local IPv6 address, written on store rows
	Role Role   // RoleMailbox or RoleEdge
	// Skew is the server's clock offset: every time it stamps is off by
	// this much.
	Skew time.Duration
	// Database is the GUID of the mailbox database active on the server
	// (Mailbox servers only).
	Database string
}

// User is a mailbox.
type User struct {
	Address  string // primary SMTP address, "first.last@contoso.com"
	Alias    string // secondary address that RESOLVEs to Address, or ""
	Server   string // name of the server the mailbox is homed on
	Mailbox  string // mailbox GUID
	LegacyDN string // "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=…"
	// ForwardTo is the address mail to this mailbox is REDIRECTed to, or "".
	ForwardTo string
	// ClientIP is the user's workstation, written as original-client-ip.
	ClientIP string
	// Service marks an application account (SMTP AUTH senders).
	Service bool
}

// Group is a distribution group. Members are primary addresses of users,
// addresses of other groups (nesting, never cyclic) or external addresses.
type Group struct {
	Address  string   // "sales@contoso.com"
	LegacyDN string   // the group's legacyExchangeDN
	Members  []string // member addresses, in expansion order
}

// Peer is an external domain.
type Peer struct {
	Domain string // "fabrikam.net"
	MX     string // host that receives its mail
	MXIP   string // address of MX
	Out    string // host that sends its mail
	OutIP  string // address of Out
	// Office365 peers answer with "[InternalId=…, Hostname=….prod.outlook.com]".
	Office365 bool
}

// Client is an SMTP client inside the organisation.
type Client struct {
	Host      string // "app01.corp.contoso.com"
	IP        string // its address, written as original-client-ip
	Sender    string // the address it sends as
	Anonymous bool   // relays without authentication (0cA); otherwise SMTP AUTH (07I)
}

// server returns the server named name.
func (o *Org) server(name string) *Server {
	for i := range o.Servers {
		if o.Servers[i].Name == name {
			return &o.Servers[i]
		}
	}
	return nil
}

var firstNames = []string{
	"adele", "alex", "allan", "anna", "ben", "carla", "chris", "dana", "diego",
	"emily", "enrico", "fatima", "franz", "grace", "hannah", "henrik", "irene",
	"isaiah", "jan", "johanna", "joni", "kenji", "lara", "lee", "lidia",
	"lynne", "megan", "miriam", "nestor", "nina", "omar", "patti", "pradeep",
	"quinn", "raul", "sofia", "tomas", "ursula", "vera", "wei", "yusuf", "zoe",
}

var lastNames = []string{
	"vance", "deyoung", "adams", "berg", "bauer", "costa", "diaz", "eriksson",
	"fischer", "garcia", "hoang", "ivanova", "jensen", "kowalski", "larsen",
	"meyer", "nakamura", "novak", "okafor", "olsen", "petrov", "quinn",
	"rossi", "schmidt", "silva", "tanaka", "tran", "urban", "varga", "weber",
	"xu", "yamamoto", "zimmermann", "gupta", "sanders", "wilber", "hughes",
}

var groupNames = []string{
	"sales", "all-staff", "partners", "it-team", "finance", "managers",
	"marketing", "project-x", "helpdesk", "hr", "legal", "research",
}

// buildOrg creates the organisation from cfg with its own random stream,
// so that it does not depend on the traffic settings.
func buildOrg(cfg Config) *Org {
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6f7267)) // "org"
	skewRng := rand.New(rand.NewPCG(cfg.Seed, 0x736b6577))
	o := &Org{
		Domain:        "contoso.com",
		AccountForest: "corp.contoso.com",
		Postmaster:    "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.com",
		// (From the seed, not the generator: the other draws stay.)
		InternetConnector: internetConnectors[cfg.Seed%uint64(len(internetConnectors))],
	}
	skew := func() time.Duration {
		if cfg.MaxSkew <= 0 {
			return 0
		}
		ms := int64(cfg.MaxSkew / time.Millisecond)
		return time.Duration(skewRng.Int64N(2*ms+1)-ms) * time.Millisecond
	}
	for i := 0; i < cfg.MailboxServers; i++ {
		n := twoDigits(i + 1)
		o.Servers = append(o.Servers, Server{
			Name:     "EX" + n,
			FQDN:     "ex" + n + ".corp.contoso.com",
			IP:       "10.0.0." + strconv.Itoa(11+i),
			IPv6:     linkLocal(rng),
			Role:     RoleMailbox,
			Skew:     skew(),
			Database: guid(rng),
		})
	}
	for i := 0; i < cfg.EdgeServers; i++ {
		n := twoDigits(i + 1)
		o.Servers = append(o.Servers, Server{
			Name: "EDGE" + n,
			FQDN: "edge" + n + ".contoso.com",
			IP:   "172.16.10." + strconv.Itoa(11+i),
			IPv6: linkLocal(rng),
			Role: RoleEdge,
			Skew: skew(),
		})
	}

	used := map[string]bool{}
	const dnPrefix = "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn="
	for i := 0; i < cfg.Users; i++ {
		var local string
		for try := 0; ; try++ {
			first := firstNames[rng.IntN(len(firstNames))]
			last := lastNames[rng.IntN(len(lastNames))]
			local = first + "." + last
			if try > 20 {
				local += strconv.Itoa(i)
			}
			if !used[local] {
				break
			}
		}
		used[local] = true
		srv := o.Servers[i%cfg.MailboxServers].Name
		u := User{
			Address:  local + "@" + o.Domain,
			Server:   srv,
			Mailbox:  guid(rng),
			LegacyDN: dnPrefix + hexN(rng, 32) + "-" + local,
			ClientIP: "10.0.20." + strconv.Itoa(10+i%240),
		}
		o.Users = append(o.Users, u)
	}
	// Two application accounts for SMTP AUTH, homed like users.
	for i, name := range []string{"svc-crm", "svc-erp"} {
		used[name] = true
		o.Users = append(o.Users, User{
			Address:  name + "@" + o.Domain,
			Server:   o.Servers[i%cfg.MailboxServers].Name,
			Mailbox:  guid(rng),
			LegacyDN: dnPrefix + hexN(rng, 32) + "-" + name,
			ClientIP: "10.0.10." + strconv.Itoa(21+i),
			Service:  true,
		})
	}
	// Aliases: about one user in five, jsmith@old.contoso.com style; the
	// first user always has one so that RESOLVE can occur.
	aliasUsed := map[string]bool{}
	for i := range o.Users[:cfg.Users] {
		if i != 0 && rng.IntN(5) != 0 {
			continue
		}
		local := o.Users[i].Address[:strings.IndexByte(o.Users[i].Address, '@')]
		dot := strings.IndexByte(local, '.')
		alias := local[:1] + local[dot+1:]
		if aliasUsed[alias] {
			continue
		}
		aliasUsed[alias] = true
		o.Users[i].Alias = alias + "@old." + o.Domain
	}
	// Forwarding: about one user in sixteen (at least one), to a user who
	// does not forward.
	nfwd := max(1, cfg.Users/16)
	for k := 0; k < nfwd; k++ {
		i := 1 + (k*7+3)%(cfg.Users-1)
		if o.Users[i].ForwardTo != "" || forwardedTo(o.Users, i) {
			continue
		}
		for try := 0; try < 10; try++ {
			j := rng.IntN(cfg.Users)
			if j != i && o.Users[j].ForwardTo == "" && !forwardedTo(o.Users, j) {
				o.Users[i].ForwardTo = o.Users[j].Address
				break
			}
		}
	}

	o.Peers = []Peer{
		{Domain: "fabrikam.net", MX: "mx.fabrikam.net", MXIP: "198.51.100.25", Out: "smtp-out.fabrikam.net", OutIP: "198.51.100.26"},
		{Domain: "adatum.com", MX: "adatum-com.mail.protection.outlook.com", MXIP: "40.107.22.57", Out: "mail-db8eur05on2051.outbound.protection.outlook.com", OutIP: "40.107.20.51", Office365: true},
		{Domain: "tailspintoys.com", MX: "mail.tailspintoys.com", MXIP: "203.0.113.40", Out: "mail.tailspintoys.com", OutIP: "203.0.113.40"},
		{Domain: "northwindtraders.com", MX: "northwindtraders-com.mail.protection.outlook.com", MXIP: "52.101.68.12", Out: "mail-am6eur05on2098.outbound.protection.outlook.com", OutIP: "40.107.22.98", Office365: true},
		{Domain: "wingtiptoys.com", MX: "mx1.wingtiptoys.com", MXIP: "192.0.2.80", Out: "mx1.wingtiptoys.com", OutIP: "192.0.2.80"},
		{Domain: "litwareinc.com", MX: "smtp.litwareinc.com", MXIP: "203.0.113.77", Out: "out.litwareinc.com", OutIP: "203.0.113.78"},
	}
	o.Clients = []Client{
		{Host: "app01.corp.contoso.com", IP: "10.0.10.21", Sender: "svc-crm@contoso.com"},
		{Host: "app02.corp.contoso.com", IP: "10.0.10.22", Sender: "svc-erp@contoso.com"},
		{Host: "scan01.corp.contoso.com", IP: "10.0.30.11", Sender: "scanner@contoso.com", Anonymous: true},
		{Host: "scan02.corp.contoso.com", IP: "10.0.30.12", Sender: "scanner@contoso.com", Anonymous: true},
		{Host: "monitor.corp.contoso.com", IP: "10.0.30.40", Sender: "alerts@monitor.contoso.com", Anonymous: true},
	}

	// Groups: g0 plain; g1 nests g0 and also lists one of g0's members (a
	// member reached twice); g2 has an external member; the others are
	// drawn.
	regular := cfg.Users
	for i := 0; i < cfg.Groups; i++ {
		name := groupNames[i%len(groupNames)]
		if i >= len(groupNames) {
			name += strconv.Itoa(i / len(groupNames))
		}
		g := Group{Address: name + "@" + o.Domain, LegacyDN: dnPrefix + hexN(rng, 32) + "-" + name}
		n := min(3+rng.IntN(5), regular)
		seen := map[string]bool{}
		for len(g.Members) < n {
			a := o.Users[rng.IntN(regular)].Address
			if !seen[a] {
				seen[a] = true
				g.Members = append(g.Members, a)
			}
		}
		nest := i == 1 || (i >= 3 && rng.IntN(2) == 0)
		if nest {
			inner := &o.Groups[rng.IntN(i)]
			if i == 1 {
				inner = &o.Groups[0]
			}
			g.Members = append(g.Members, inner.Address)
			if i == 1 || rng.IntN(2) == 0 {
				for _, m := range inner.Members {
					if !seen[m] && strings.HasSuffix(m, "@"+o.Domain) && !isGroupAddr(o.Groups, m) {
						seen[m] = true
						g.Members = append(g.Members, m)
						break
					}
				}
			}
		}
		if i == 2 || (i >= 3 && rng.IntN(3) == 0) {
			p := o.Peers[rng.IntN(len(o.Peers))]
			g.Members = append(g.Members, firstNames[rng.IntN(len(firstNames))]+"."+lastNames[rng.IntN(len(lastNames))]+"@"+p.Domain)
		}
		o.Groups = append(o.Groups, g)
	}
	return o
}

func forwardedTo(users []User, j int) bool {
	for _, u := range users {
		if u.ForwardTo == users[j].Address {
			return true
		}
	}
	return false
}

func isGroupAddr(groups []Group, a string) bool {
	for _, g := range groups {
		if g.Address == a {
			return true
		}
	}
	return false
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

const hexdigits = "0123456789abcdef"

// hex4 returns a random IPv6 group without leading zeros.
func hex4(rng *rand.Rand) string { return strconv.FormatUint(uint64(rng.Uint32N(1<<16)), 16) }

// linkLocal returns a random IPv6 link-local address (fe80::/64).
func linkLocal(rng *rand.Rand) string {
	return "fe80::" + hex4(rng) + ":" + hex4(rng) + ":" + hex4(rng) + ":" + hex4(rng)
}

func hexN(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = hexdigits[rng.IntN(16)]
	}
	return string(b)
}

// guid returns a random lower-case GUID.
func guid(rng *rand.Rand) string {
	var b [36]byte
	return string(appendGUID(b[:0], rng.Uint64(), rng.Uint64()))
}

func appendGUID(dst []byte, hi, lo uint64) []byte {
	for i := 0; i < 16; i++ {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		var x byte
		if i < 8 {
			x = byte(hi >> (56 - 8*i))
		} else {
			x = byte(lo >> (56 - 8*(i-8)))
		}
		dst = append(dst, hexdigits[x>>4], hexdigits[x&15])
	}
	return dst
}
