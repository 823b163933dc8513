package msgtrk

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func listMembers(src string) ([]string, error) {
	var s ListScanner
	s.Init([]byte(src))
	var out []string
	for s.Next() {
		out = append(out, string(s.Bytes()))
	}
	return out, s.Err()
}

func TestListScanner(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"one", "a@x.com", []string{"a@x.com"}},
		{"three", "a@x;b@x;c@x", []string{"a@x", "b@x", "c@x"}},
		{"empty member", "a;;b", []string{"a", "", "b"}},
		{"trailing separator", "a;", []string{"a", ""}},
		{"quoted with separator", "'550 5.1.1 a;b';250 OK", []string{"550 5.1.1 a;b", "250 OK"}},
		{"doubled apostrophe", "'it''s';x", []string{"it's", "x"}},
		{"quoted last", "x;'y;z'", []string{"x", "y;z"}},
		{"apostrophe inside unquoted", "o'brien@x;y", []string{"o'brien@x", "y"}},
		{"lasterror blob", "[{LED=501 5.1.4 bad};{MSG=};{FQDN=h};{IP=1.2.3.4};{LRT=12/22/2020 2:28:06 AM}]",
			[]string{"[{LED=501 5.1.4 bad};{MSG=};{FQDN=h};{IP=1.2.3.4};{LRT=12/22/2020 2:28:06 AM}]"}},
		{"lasterror blob then member", "[{LED=x};{MSG=}];250 OK", []string{"[{LED=x};{MSG=}]", "250 OK"}},
		{"bracket not closed", "[{LED=x;y", []string{"[{LED=x", "y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := listMembers(tt.in)
			if err != nil {
				t.Fatalf("members(%q) error %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("members(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestListScannerErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"unterminated", "a;'b;c", []string{"a", "'b;c"}},
		{"text after quote", "'a'b;c", []string{"'a'b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := listMembers(tt.in)
			if !errors.Is(err, ErrListQuote) {
				t.Errorf("members(%q) error = %v, want ErrListQuote", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("members(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestAppendListMemberRoundTrip(t *testing.T) {
	members := []string{"", "a", "a;b", "'", "''x", "[{LED=1};{MSG=}]", "o'k", "x'", "'a;b'"}
	var line []byte
	for i, m := range members {
		if i > 0 {
			line = append(line, ';')
		}
		line = AppendListMember(line, []byte(m))
	}
	got, err := listMembers(string(line))
	if err != nil {
		t.Fatalf("members(%q) error %v", line, err)
	}
	if diff := cmp.Diff(members, got); diff != "" {
		t.Errorf("round trip of %q mismatch (-want +got):\n%s", line, diff)
	}
}

func TestSetListOneEmptyMember(t *testing.T) {
	var e Event
	e.SetList(RecipientAddress, []string{""})
	if got := e.List(RecipientAddress); len(got) != 1 || got[0] != "" {
		t.Errorf("List after SetList([\"\"]) = %q", got)
	}
	e.SetList(RecipientAddress, nil)
	if got := e.List(RecipientAddress); len(got) != 0 {
		t.Errorf("List after SetList(nil) = %q", got)
	}
}
