package eventdata

import (
	"bytes"
	"strconv"
)

// Key names a well-known custom-data key. [ParseKey] maps a key as written
// to its Key without allocating; [Data] decodes the members of these keys.
type Key uint8

// The well-known keys. The comment of each gives its spelling in the log.
const (
	KeyUnknown                          Key = iota // any other key
	KeyE2ELatency                                  // E2ELatency
	KeyExternalSendLatency                         // ExternalSendLatency
	KeyDeliveryLatency                             // DeliveryLatency
	KeyMsgRecipCount                               // MsgRecipCount
	KeySubRecipCount                               // SubRecipCount
	KeyAttachCount                                 // AttachCount
	KeyBCL                                         // BCL
	KeyProxiedClientIPAddress                      // ProxiedClientIPAddress
	KeyProxiedClientHostname                       // ProxiedClientHostname
	KeyProxyHop                                    // ProxyHop1, ProxyHop2, … (any N ≥ 1)
	KeyFirstForestHop                              // FirstForestHop
	KeyFromEntity                                  // FromEntity
	KeyToEntity                                    // ToEntity
	KeyDeliveryPriority                            // DeliveryPriority
	KeyPrioritizationReason                        // PrioritizationReason
	KeyIncludeInSla                                // IncludeInSla
	KeySlaExclusionReason                          // SlaExclusionReason
	KeyIsSmtpResponseFromExternalServer            // IsSmtpResponseFromExternalServer
	KeyDeliveredViaHttps                           // DeliveredViaHttps
	KeyMailboxDatabaseGuid                         // MailboxDatabaseGuid
	KeyOriginalFromAddress                         // OriginalFromAddress
	KeyAccountForest                               // AccountForest
	KeyMessageValue                                // MessageValue
	KeyReplication                                 // Replication
	KeyItemEntryID                                 // ItemEntryId
	KeyMailboxes                                   // Mailboxes
	KeyStoreObjectIDs                              // StoreObjectIds
	KeyP2RecipStat                                 // P2RecipStat
	KeyActivityID                                  // ActivityId
	KeyHTTPRequestID                               // HttpRequestId
	KeyMapiMessageClass                            // MapiMessageClass
	KeyRequiredTLSAuthLevel                        // Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel
	KeyEffectiveTLSAuthLevel                       // Microsoft.Exchange.Transport.MailRecipient.EffectiveTlsAuthLevel
	KeyInvalidRecipient                            // InvalidRecipient
	KeyResubmit                                    // any key starting with Resubmit
	KeyAMA                                         // AMA (AGENTINFO: anti-malware agent group)
	KeyTRA                                         // TRA (AGENTINFO: transport rule agent group)
	KeySFA                                         // SFA (AGENTINFO: spam filter agent group)
	KeyCompCost                                    // CompCost (AGENTINFO)
	numKeys
)

var keyNames = [numKeys]string{
	KeyUnknown:                          "Unknown",
	KeyE2ELatency:                       "E2ELatency",
	KeyExternalSendLatency:              "ExternalSendLatency",
	KeyDeliveryLatency:                  "DeliveryLatency",
	KeyMsgRecipCount:                    "MsgRecipCount",
	KeySubRecipCount:                    "SubRecipCount",
	KeyAttachCount:                      "AttachCount",
	KeyBCL:                              "BCL",
	KeyProxiedClientIPAddress:           "ProxiedClientIPAddress",
	KeyProxiedClientHostname:            "ProxiedClientHostname",
	KeyProxyHop:                         "ProxyHop",
	KeyFirstForestHop:                   "FirstForestHop",
	KeyFromEntity:                       "FromEntity",
	KeyToEntity:                         "ToEntity",
	KeyDeliveryPriority:                 "DeliveryPriority",
	KeyPrioritizationReason:             "PrioritizationReason",
	KeyIncludeInSla:                     "IncludeInSla",
	KeySlaExclusionReason:               "SlaExclusionReason",
	KeyIsSmtpResponseFromExternalServer: "IsSmtpResponseFromExternalServer",
	KeyDeliveredViaHttps:                "DeliveredViaHttps",
	KeyMailboxDatabaseGuid:              "MailboxDatabaseGuid",
	KeyOriginalFromAddress:              "OriginalFromAddress",
	KeyAccountForest:                    "AccountForest",
	KeyMessageValue:                     "MessageValue",
	KeyReplication:                      "Replication",
	KeyItemEntryID:                      "ItemEntryId",
	KeyMailboxes:                        "Mailboxes",
	KeyStoreObjectIDs:                   "StoreObjectIds",
	KeyP2RecipStat:                      "P2RecipStat",
	KeyActivityID:                       "ActivityId",
	KeyHTTPRequestID:                    "HttpRequestId",
	KeyMapiMessageClass:                 "MapiMessageClass",
	KeyRequiredTLSAuthLevel:             "Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel",
	KeyEffectiveTLSAuthLevel:            "Microsoft.Exchange.Transport.MailRecipient.EffectiveTlsAuthLevel",
	KeyInvalidRecipient:                 "InvalidRecipient",
	KeyResubmit:                         "Resubmit",
	KeyAMA:                              "AMA",
	KeyTRA:                              "TRA",
	KeySFA:                              "SFA",
	KeyCompCost:                         "CompCost",
}

// String returns the key's spelling in the log ("ProxyHop" and "Resubmit"
// for the key families), "Unknown" for KeyUnknown, or "Key(n)".
func (k Key) String() string {
	if k < numKeys {
		return keyNames[k]
	}
	return "Key(" + strconv.Itoa(int(k)) + ")"
}

// ParseKey returns the well-known Key spelled by b (case-sensitive), or
// KeyUnknown. "ProxyHop" followed by a decimal N ≥ 1 is KeyProxyHop (see
// [ProxyHopIndex]); any key starting with "Resubmit" is KeyResubmit. It
// does no allocation and is safe for concurrent use.
func ParseKey(b []byte) Key {
	switch string(b) {
	case "E2ELatency":
		return KeyE2ELatency
	case "ExternalSendLatency":
		return KeyExternalSendLatency
	case "DeliveryLatency":
		return KeyDeliveryLatency
	case "MsgRecipCount":
		return KeyMsgRecipCount
	case "SubRecipCount":
		return KeySubRecipCount
	case "AttachCount":
		return KeyAttachCount
	case "BCL":
		return KeyBCL
	case "ProxiedClientIPAddress":
		return KeyProxiedClientIPAddress
	case "ProxiedClientHostname":
		return KeyProxiedClientHostname
	case "FirstForestHop":
		return KeyFirstForestHop
	case "FromEntity":
		return KeyFromEntity
	case "ToEntity":
		return KeyToEntity
	case "DeliveryPriority":
		return KeyDeliveryPriority
	case "PrioritizationReason":
		return KeyPrioritizationReason
	case "IncludeInSla":
		return KeyIncludeInSla
	case "SlaExclusionReason":
		return KeySlaExclusionReason
	case "IsSmtpResponseFromExternalServer":
		return KeyIsSmtpResponseFromExternalServer
	case "DeliveredViaHttps":
		return KeyDeliveredViaHttps
	case "MailboxDatabaseGuid":
		return KeyMailboxDatabaseGuid
	case "OriginalFromAddress":
		return KeyOriginalFromAddress
	case "AccountForest":
		return KeyAccountForest
	case "MessageValue":
		return KeyMessageValue
	case "Replication":
		return KeyReplication
	case "ItemEntryId":
		return KeyItemEntryID
	case "Mailboxes":
		return KeyMailboxes
	case "StoreObjectIds":
		return KeyStoreObjectIDs
	case "P2RecipStat":
		return KeyP2RecipStat
	case "ActivityId":
		return KeyActivityID
	case "HttpRequestId":
		return KeyHTTPRequestID
	case "MapiMessageClass":
		return KeyMapiMessageClass
	case "Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel":
		return KeyRequiredTLSAuthLevel
	case "Microsoft.Exchange.Transport.MailRecipient.EffectiveTlsAuthLevel":
		return KeyEffectiveTLSAuthLevel
	case "InvalidRecipient":
		return KeyInvalidRecipient
	case "AMA":
		return KeyAMA
	case "TRA":
		return KeyTRA
	case "SFA":
		return KeySFA
	case "CompCost":
		return KeyCompCost
	}
	if ProxyHopIndex(b) > 0 {
		return KeyProxyHop
	}
	if bytes.HasPrefix(b, []byte("Resubmit")) {
		return KeyResubmit
	}
	return KeyUnknown
}

// ProxyHopIndex returns N for a key "ProxyHopN" with N a decimal number
// from 1 to 999999 without leading zeros, and 0 for any other key. It does
// no allocation and is safe for concurrent use.
func ProxyHopIndex(key []byte) int {
	const prefix = "ProxyHop"
	if len(key) <= len(prefix) || string(key[:len(prefix)]) != prefix {
		return 0
	}
	d := key[len(prefix):]
	if len(d) > 6 || d[0] == '0' {
		return 0
	}
	n, ok := parseCount(d)
	if !ok {
		return 0
	}
	return n
}
