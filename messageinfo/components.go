package messageinfo

import (
	"slices"
	"strconv"
)

// Basis says what backs the meaning given for a latency component code.
type Basis uint8

// Bases.
const (
	// BasisUnknown: the zero value; no table entry has it.
	BasisUnknown Basis = iota
	// BasisSample: the real samples themselves show what the component is:
	// the agents listed under it (whose events are publicly documented), the
	// event or role of the rows it appears on, or a sibling value in another
	// field.
	BasisSample
	// BasisName: a reading of the code's letters, consistent with where it
	// sits in the sample trees but not otherwise shown. Treat as a guess.
	BasisName
)

var basisNames = [...]string{"Unknown", "Sample", "Name"}

// String returns the basis's name, or "Basis(n)" out of range.
func (b Basis) String() string {
	if int(b) < len(basisNames) {
		return basisNames[b]
	}
	return "Basis(" + strconv.Itoa(int(b)) + ")"
}

// ComponentInfo documents one latency component code (Node.Code).
type ComponentInfo struct {
	Code    string // "SMRC", "R-CMSG", ...
	Meaning string // one line; a trailing "?" marks doubt
	Basis   Basis
}

// components lists every code that occurs in the real samples of
// testdata/real (a test checks both directions). Codes not listed are kept
// as they are by the parser; they are not errors.
var components = [...]ComponentInfo{
	{"TOTAL", "time the message spent on this server; the suffix is the server's role (HUB, FE, SUB, DEL, EDGE)", BasisSample},

	// SMTP receive.
	{"SMR", "SMTP receive", BasisName},
	{"SMRDE", "SMTP receive, DATA (seen on hubs behind a front end)?", BasisName},
	{"SMRDI", "SMTP receive, DATA (seen on direct/internal hops)?", BasisName},
	{"SMRC", "SMTP receive, commit", BasisName},
	{"SMRCL", "SMTP receive, commit to the local queue", BasisName},
	{"SMRCR", "SMTP receive, commit remote (shadow copy), as X-SMRCR", BasisName},
	{"SMRPI", "SMTP receive, proxy inbound (front-end proxy; its agent is FrontendProxyAgent on a TOTAL-FE hop)", BasisSample},
	{"SMRI", "receive on an Exchange Online hub (HTTP-based hop)?", BasisName},
	{"RENV", "receive envelope (Exchange Online)?", BasisName},
	{"REOD", "receive end of data (Exchange Online)?", BasisName},
	{"CMSGC", "commit message (Exchange Online)?", BasisName},
	{"R-CMSG", "remote commit message (Exchange Online)?", BasisName},
	{"R-CMSGC", "remote commit message, commit step (Exchange Online)?", BasisName},
	{"R-HSRR", "remote HTTP shadow/replication request (Exchange Online)?", BasisName},

	// Categorizer.
	{"CAT", "categorizer", BasisName},
	{"CATMS", "categorizer step before on-submitted agents (message split?)", BasisName},
	{"CATOS", "categorizer, OnSubmittedMessage event (holds CATSM)", BasisSample},
	{"CATSM", "submitted-message agents (Malware Agent, Journal Agent, DC Pre Content Filter Agent)", BasisSample},
	{"CATRESL", "categorizer, recipient resolver", BasisName},
	{"CATORES", "categorizer, OnResolvedMessage event (holds CATRS)", BasisSample},
	{"CATRS", "resolved-message agents (Transport Rule Agent, DLP Policy Agent, Prioritization Agent, Index Routing Agent)", BasisSample},
	{"CATORT", "categorizer, OnRoutedMessage event (holds CATRT)", BasisSample},
	{"CATRT", "routed-message agents (Journal Agent, RMS Encryption Agent)", BasisSample},
	{"CATCC", "categorizer, content conversion (cf. AGENTINFO source-context CatContentConversion)", BasisName},
	{"ETREX", "transport rule execution, as X-ETREX under the Transport Rule Agent", BasisSample},
	{"DLPEX", "DLP policy execution, as X-DLPEX under the DLP Policy Agent", BasisSample},

	// Queues and SMTP send.
	{"QDM", "queued for mailbox delivery (SEND to a mailbox server)", BasisSample},
	{"QDE", "queued for external delivery (SENDEXTERNAL)", BasisSample},
	{"SMSC", "SMTP send, connect", BasisName},
	{"SMSDR", "SMTP send sub-step, as X-SMSDR under SMSC (DNS resolution?)", BasisName},
	{"SMS", "SMTP send", BasisName},
	{"SMSMBXD", "SMTP send to mailbox delivery", BasisName},
	{"UNK", "time not accounted to any component", BasisName},

	// Mailbox transport submission.
	{"SA", "submission assistant (NOTIFYMAPI rows name SubmissionAssistant in source-context)", BasisSample},
	{"MTSS", "mailbox transport submission service", BasisName},
	{"MTSSD", "mailbox transport submission, dispatch?", BasisName},
	{"MTSSDA", "mailbox transport submission, step A?", BasisName},
	{"MTSSDC", "mailbox transport submission, step C (content conversion?)", BasisName},
	{"MTSSDM", "mailbox transport submission, step M?", BasisName},
	{"MTSORGC", "mailbox transport submission, organisation configuration?", BasisName},
	{"MTSSDSDM", "mailbox transport submission agents (Mailbox Submission Filter Agent)", BasisSample},
	{"SDSSO", "store driver submission, send out over SMTP (holds SMSC)", BasisSample},

	// Mailbox transport delivery.
	{"D", "delivery (on TOTAL-DEL hops, holds the SDD* steps)", BasisSample},
	{"SDD", "store driver delivery (holds SDDPM)", BasisSample},
	{"SDDSINI", "store driver delivery, session init?", BasisName},
	{"SDDSPCR", "store driver delivery step (holds SDDCC)?", BasisName},
	{"SDDCC", "store driver delivery, content conversion?", BasisName},
	{"SDDSPCS", "store driver delivery step (holds SDDOS)?", BasisName},
	{"SDDOS", "store driver delivery sub-step?", BasisName},
	{"SDDPM", "delivery agents (Mailbox Rules Agent, Conversations Processing Agent, Meeting Message Processing Agent, Index Delivery Agent, Inference Classification Agent, Mailbox Delivery Filter Agent)", BasisSample},
	{"SDDSCMG", "store driver delivery, create message (holds SDDCMM)?", BasisName},
	{"SDDCMM", "store driver delivery sub-step?", BasisName},
	{"SDDCM", "store driver delivery, created-message agents (Meeting Message Processing Agent)", BasisSample},
	{"SDDSDMG", "store driver delivery, deliver message (holds SDDR)?", BasisName},
	{"SDDR", "store driver delivery sub-step?", BasisName},
	{"SDDS", "store driver delivery, as X-SDDS (save?)", BasisName},

	// HTTP-based hops (Exchange Online).
	{"HSDSP", "HTTP-based hop send (Exchange Online)?", BasisName},
	{"HSRR", "HTTP-based hop, remote request (Exchange Online)?", BasisName},
	{"HSDN", "HTTP-based hop send, notification (Exchange Online)?", BasisName},
	{"HSDR", "HTTP-based hop delivery receive (Exchange Online)?", BasisName},
	{"HSDRR", "HTTP-based hop delivery, remote request (Exchange Online)?", BasisName},
}

var componentIndex = func() map[string]int {
	m := make(map[string]int, len(components))
	for i, c := range components {
		m[c.Code] = i
	}
	return m
}()

// LookupComponent returns what is known of a component code (Node.Code's
// bytes, e.g. "SMRC"). ok is false for codes not in the table; they are
// valid, just undocumented. LookupComponent does no allocation and is safe
// for concurrent use.
func LookupComponent(code []byte) (ComponentInfo, bool) {
	i, ok := componentIndex[string(code)]
	if !ok {
		return ComponentInfo{}, false
	}
	return components[i], true
}

// Components returns a new copy of the component table, in documentation
// order. It allocates.
func Components() []ComponentInfo {
	return slices.Clone(components[:])
}
