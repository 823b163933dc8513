package filter

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// The parsers below read condition values as administrators type them on a
// command line or keep them in files. Their errors say what was expected.

// ErrValue is wrapped by every error of the parsers below.
var ErrValue = errors.New("filter: bad value")

func valueErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrValue}, args...)...)
}

// timeLayouts are the absolute forms ParseTime reads, in loc unless they
// carry an offset.
var timeLayouts = []string{
	"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02 15:04",
	"2006-01-02",
}

// ParseTime reads a point in time:
//
//	2024-03-04T08:00:00Z, 2024-03-04T09:00:00+01:00   RFC 3339, with its own offset
//	2024-03-04, 2024-03-04 08:00, 2024-03-04T08:00:05  in loc
//	now, today, yesterday                              now; midnight in loc today or yesterday
//	-24h, -90m, -7d, -2w                               that long before now (h, m, s, d = 24 h, w = 7 d)
//
// An empty s is the zero Time.
func ParseTime(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	local := now.In(loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	switch strings.ToLower(s) {
	case "now":
		return now, nil
	case "today":
		return midnight, nil
	case "yesterday":
		return midnight.AddDate(0, 0, -1), nil
	}
	if strings.HasPrefix(s, "-") {
		if d, err := parseAge(s[1:]); err == nil {
			return now.Add(-d), nil
		}
	}
	return time.Time{}, valueErr("cannot read %q as a time (try 2024-03-04, \"2024-03-04 08:00\", today, yesterday or -24h)", s)
}

// parseAge reads a duration with the units of time.ParseDuration plus d
// (24 hours) and w (7 days).
func parseAge(s string) (time.Duration, error) {
	if n := len(s); n > 1 && (s[n-1] == 'd' || s[n-1] == 'w') {
		v, err := strconv.ParseFloat(s[:n-1], 64)
		if err != nil || v < 0 {
			return 0, valueErr("bad duration %q", s)
		}
		unit := 24 * time.Hour
		if s[n-1] == 'w' {
			unit *= 7
		}
		if v*float64(unit) > math.MaxInt64 {
			return 0, valueErr("duration %q too long", s)
		}
		return time.Duration(v * float64(unit)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, valueErr("bad duration %q", s)
	}
	return d, nil
}

// sizeUnits are the units ParseSize reads, in bytes. As Exchange counts
// them (its MaxSendSize "10 MB" is 10,485,760 bytes), KB, MB and GB are
// powers of 1024; KiB, MiB and GiB are accepted as the same.
var sizeUnits = []struct {
	name string
	n    float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30},
	{"b", 1},
}

// ParseSize reads a size in bytes: 5MB, 512KB, 1.5 GB, 10485760. KB, MB and
// GB are powers of 1024 (see sizeUnits); case is ignored.
func ParseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.name) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.name)), u.n
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) || v*mult > math.MaxInt64/2 {
		return 0, valueErr("cannot read %q as a size (try 5MB, 512KB or a number of bytes)", s)
	}
	return int64(math.Round(v * mult)), nil
}

// ParsePrefix reads an address or a CIDR prefix: 10.0.0.5, 10.0.0.0/8,
// 2001:db8::/32. A single address is the prefix of its full length.
func ParsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, valueErr("cannot read %q as an address or CIDR prefix", s)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, valueErr("cannot read %q as an address or CIDR prefix", s)
	}
	a = a.WithZone("").Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// rawPrefix selects an event id or source by its spelling in the logs,
// for names this version does not know.
const rawPrefix = "raw:"

// ParseEventID reads an event id name (any case). A name that is no event
// id is an error naming the closest one ("RECIEVE": did you mean
// RECEIVE?); a name written "raw:NAME" is returned in raw, for event ids
// this version does not know.
func ParseEventID(s string) (id msgtrk.EventType, raw string, err error) {
	s = strings.TrimSpace(s)
	if len(s) > len(rawPrefix) && strings.EqualFold(s[:len(rawPrefix)], rawPrefix) {
		return msgtrk.EventUnknown, s[len(rawPrefix):], nil
	}
	id = msgtrk.ParseEventType([]byte(strings.ToUpper(s)))
	if id != msgtrk.EventUnknown {
		return id, "", nil
	}
	return 0, "", valueErr("unknown event id %q%s (or write raw:%s to select an event id by its spelling)", s, suggest(s, eventNames()), s)
}

// ParseSource reads a source name (any case), with the same help as
// ParseEventID.
func ParseSource(s string) (msgtrk.SourceType, error) {
	s = strings.TrimSpace(s)
	st := msgtrk.ParseSourceType([]byte(strings.ToUpper(s)))
	if st == msgtrk.SourceUnknown {
		return 0, valueErr("unknown source %q%s", s, suggest(s, sourceNames()))
	}
	return st, nil
}

func eventNames() []string  { return enumNames(msgtrk.EventType(1), "EventType(") }
func sourceNames() []string { return enumNames(msgtrk.SourceType(1), "SourceType(") }

// enumNames lists the String of every value of an enum from first up to
// the first value whose String starts with unknown (the "Type(n)" fallback).
func enumNames[E interface {
	~uint8
	String() string
}](first E, unknown string) []string {
	var names []string
	for e := first; e != 0; e++ {
		n := e.String()
		if strings.HasPrefix(n, unknown) {
			break
		}
		names = append(names, n)
	}
	return names
}

// suggest returns ": did you mean X?" for the name closest to s by edit
// distance, when it is close enough to be a typo, else the list of names.
func suggest(s string, names []string) string {
	best, bestD := "", 1<<30
	up := strings.ToUpper(s)
	for _, n := range names {
		if d := editDistance(up, n); d < bestD {
			best, bestD = n, d
		}
	}
	if bestD <= max(2, len(best)/3) {
		return fmt.Sprintf(": did you mean %s?", best)
	}
	return fmt.Sprintf(" (known: %s)", strings.Join(names, ", "))
}

// editDistance is the Damerau–Levenshtein distance (with adjacent
// transpositions, the commonest typo: RECIEVE) between a and b, in bytes.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// ReadValues reads a list of values, one per line, as kept in a file of
// message ids or addresses: blanks around a value, blank lines and lines
// starting with '#' are skipped, as are a UTF-8 byte order mark and double
// quotes around a value (a column copied from a CSV export). Angle brackets
// are kept (the message-id conditions accept them or not).
func ReadValues(r io.Reader) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var out []string
	for first := true; sc.Scan(); first = false {
		line := sc.Text()
		if first {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		line = strings.TrimSpace(line)
		if len(line) >= 2 && line[0] == '"' && line[len(line)-1] == '"' {
			line = strings.TrimSpace(line[1 : len(line)-1])
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out, sc.Err()
}
