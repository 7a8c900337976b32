package bot

import "github.com/docracy/docracy/ledger"

// The ledger's types and names that the use cases take and return, under
// bot's name: an integration reads and writes through bot alone, and never
// imports the ledger it runs on.
type (
	Entry    = ledger.Entry
	Member   = ledger.Member
	Account  = ledger.Account
	PollInfo = ledger.PollInfo
	Source   = ledger.Source
)

// Names of the ledger that the integrations show or record.
const (
	SourceDiscord    = ledger.SourceDiscord
	PlatformDiscord  = ledger.PlatformDiscord
	KindLink         = ledger.KindLink
	KindPayout       = ledger.KindPayout
	KindPraise       = ledger.KindPraise
	PollByMember     = ledger.PollByMember
	PollByCollege    = ledger.PollByCollege
	PollByReputation = ledger.PollByReputation
)

// EntryID is the id an entry is named by, "e<seq>".
func EntryID(seq int64) string { return ledger.EntryID(seq) }

// ParsePollID reads a poll's id, "e<seq>", into its seq.
func ParsePollID(id string) (int64, bool) { return ledger.ParsePollID(id) }

// IsDiscordID reports whether s is written as Discord writes an id.
func IsDiscordID(s string) bool { return ledger.IsDiscordID(s) }
