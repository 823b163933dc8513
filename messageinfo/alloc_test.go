package messageinfo

import (
	"testing"

	"github.com/mailtrace/mailtrace/internal/check"
)

// Inputs for the allocation tests and benchmarks: real values from
// testdata/real (the elastic SEND row, the unwrapped EXO DELIVER record).
const (
	sampleSend = "2024-01-07T00:00:05.535Z;LSRV=exchange.example.com:TOTAL-HUB=1.921|SMR=0.127(SMRDE=0.002|SMRC=0.125(SMRCL=0.105|X-SMRCR=0.125))|CAT=1.698(CATOS=0.018(CATSM=0.017(CATSM-Malware Agent=0.017))|CATRESL=0.004|CATORES=1.567(CATRS=1.566(CATRS-ScanMail Routing Agent=0.117|CATRS-Transport Rule Agent=0.002(X-ETREX=0.002)|CATRS-Index Routing Agent=1.444))|CATORT=0.108(CATRT=0.107(CATRT-Journal Agent=0.107)))|QDM=0.010|SMSC=0.006(X-SMSDR=0.011)|SMS=0.076(SMSMBXD=0.071)"
	sampleEXO  = "2021-11-23T19:49:36.395Z;SRV=CH0PR04MB8114.namprd04.prod.outlook.com:TOTAL-SUB=0.218|SA=0.021|MTSS-PEN=0.197(MTSSD-PEN=0.197(MTSORGC=0.052|MTSSDC=0.073|MTSSDSDM=0.026 (MTSSDSDM-Mailbox Submission Filter Agent=0.025)|SDSSO-PEN=0.019(SMSC-PEN=0.019)));SRV=CH0PR04MB8081.namprd04.prod.outlook.com:TOTAL-HUB=0.504|SMRI=0.118(RENV=0.036|REOD=0.027|CMSGC=0.052|R-CMSG=0.026(R-CMSGC=0.023(R-HSRR=0.023 )))|CAT=0.297(CATOS=0.068(CATSM=0.068(CATSM-DC Pre Content Filter Agent=0.062))|CATORES=0.187 (CATRS=0.187(CATRS-Transport Rule Agent=0.026(X-ETREX=0.022)|CATRS-DLP Policy Agent=0.043 (X-DLPEX=0.037)|CATRS-DC Content Filter Agent=0.106))|CATCC=0.024)|D-PEN=0.053(HSDSP=0.052 (HSRR=0.051))|HSDN=0.031;SRV=BY5PR04MB6279.namprd04.prod.outlook.com:TOTAL-DEL=0.501|HSDR=0.113(HSDRR=0.097)|SDD=0.389(SDDPM=0.087(SDDPM-Mailbox Delivery Filter Agent=0.040|SDDPM-Inference Classification Agent=0.026)|SDDSDMG=0.268(SDDR=0.268)|X-SDDS=0.097)"
)

// TestSamplesAreReal keeps the benchmark inputs honest: each is a real
// message-info value.
func TestSamplesAreReal(t *testing.T) {
	found := map[string]bool{}
	for _, v := range realValues(t) {
		found[v.Value] = true
	}
	for _, s := range []string{sampleSend, sampleEXO} {
		if !found[s] {
			t.Errorf("benchmark sample is not a real value: %.60q", s)
		}
	}
}

// TestNoAllocs backs every "does no allocation" claim of the package.
func TestNoAllocs(t *testing.T) {
	send, exo := []byte(sampleSend), []byte(sampleEXO)
	auth := []byte("07I: NTS: None")
	ts := []byte("2021-03-23T10:00:09.3284899Z")
	tsOffset := []byte("2024-01-07T00:00:05.535+01:00")
	nodes := make([]Node, 0, MaxNodes)
	buf := make([]byte, 0, 4096)
	var sink int
	tests := []struct {
		name string
		fn   func()
	}{
		{"Classify/latency", func() { sink += int(Classify(send)) }},
		{"Classify/auth", func() { sink += int(Classify(auth)) }},
		{"Classify/timestamp", func() { sink += int(Classify(ts)) }},
		{"Parse/timestamp with offset", func() { sink += Parse(tsOffset).Time.Nanosecond() }},
		{"Classify/empty", func() { sink += int(Classify(nil)) }},
		{"Classify/unknown", func() { sink += int(Classify([]byte("Retry in 10 minutes"))) }},
		{"Parse/latency", func() { sink += Parse(send).Time.Nanosecond() }},
		{"ParseAuthCode", func() {
			a, err := ParseAuthCode(auth)
			if err != nil {
				panic(err)
			}
			sink += int(a.Number)
		}},
		{"LookupAuthCode/code", func() {
			if a, ok := LookupAuthCode(auth); ok {
				sink += int(a.Number)
			}
		}},
		{"LookupAuthCode/not a code", func() {
			if _, ok := LookupAuthCode(send); !ok {
				sink++
			}
		}},
		{"AuthCode.AppendTo", func() {
			a, _ := ParseAuthCode(auth)
			buf = a.AppendTo(buf[:0], auth)
		}},
		{"AppendLatency/send", func() {
			var err error
			var lat Latency
			nodes, lat, err = AppendLatency(nodes[:0], send)
			if err != nil {
				panic(err)
			}
			sink += lat.NumHops()
		}},
		{"AppendLatency/exo", func() {
			var lat Latency
			nodes, lat, _ = AppendLatency(nodes[:0], exo)
			h, _ := lat.Local()
			sink += int(h.Total)
		}},
		{"LocalTotal/exo", func() {
			_, total, _, ok := LocalTotal(exo)
			if !ok {
				panic("LocalTotal refused the EXO sample")
			}
			sink += int(total)
		}},
		{"AppendCanonical", func() {
			var lat Latency
			nodes, lat, _ = AppendLatency(nodes[:0], exo)
			buf = AppendCanonical(buf[:0], exo, nodes, &lat)
		}},
		{"LookupComponent", func() {
			c, _ := LookupComponent(nodes[3].Code.Bytes(exo))
			sink += len(c.Meaning)
		}},
		{"Span.Bytes", func() { sink += len(nodes[5].Name.Bytes(exo)) }},
		{"MechanismOf/CategoryOf", func() { sink += len(MechanismOf(7).String()) + len(CategoryOf('A').String()) }},
		{"Latency.Hop", func() {
			var lat Latency
			nodes, lat, _ = AppendLatency(nodes[:0], exo)
			sink += int(lat.Hop(lat.NumHops() - 1).Total)
		}},
	}
	for _, tt := range tests {
		check.NoAllocs(t, tt.name, tt.fn)
	}
	if sink == 0 {
		t.Error("nothing was decoded")
	}
}
