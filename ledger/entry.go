package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind says what an entry records.
type Kind string

// The kinds of entry. Only credit and praise count towards reputation.
const (
	KindCredit Kind = "credit" // points for a contribution
	KindPraise Kind = "praise" // points one member gave another
	KindRevoke Kind = "revoke" // cancels an earlier credit or praise
	KindLink   Kind = "link"   // an account attached to a member
	KindPayout Kind = "payout" // money paid to a member for a period

	KindCollege Kind = "college" // a member placed in a college (the category)
	KindPoll    Kind = "poll"    // a poll opened; its terms in data
	KindVote    Kind = "vote"    // a member's choice in a poll, replacing any earlier one
	KindTally   Kind = "tally"   // a poll closed, with its result in data
)

func (k Kind) valid() bool {
	switch k {
	case KindCredit, KindPraise, KindRevoke, KindLink, KindPayout,
		KindCollege, KindPoll, KindVote, KindTally:
		return true
	}
	return false
}

// aboutMember reports whether entries of this kind name a member; a poll
// and its tally belong to the assembly (their actor says who acted).
func (k Kind) aboutMember() bool { return k != KindPoll && k != KindTally }

// counts reports whether entries of this kind add to reputation.
func (k Kind) counts() bool { return k == KindCredit || k == KindPraise }

// MaxClockSkew is how far after its recording an entry may say it
// occurred: clocks of senders run a little ahead of ours, but a date
// further out is a mistake or an attack, and would make every other
// member's decayed reputation collapse against it.
const MaxClockSkew = 10 * time.Minute

// maxSkewSeconds is MaxClockSkew in the unit of stored times.
const maxSkewSeconds = int64(MaxClockSkew / time.Second)

// ErrFutureDate is returned for an occurred_at later than recorded_at
// plus MaxClockSkew.
var ErrFutureDate = errors.New("occurred_at is in the future")

// checkOccurred refuses an occurred_at beyond MaxClockSkew after recorded.
func checkOccurred(occurred, recorded time.Time) error {
	if occurred.After(recorded.Add(MaxClockSkew)) {
		return fmt.Errorf("%w: occurred_at %s is more than %s after recorded_at %s",
			ErrFutureDate, formatTime(occurred), MaxClockSkew, formatTime(recorded))
	}
	return nil
}

// scoredAt is the time decay counts an entry from. It is occurred_at, but
// never later than MaxClockSkew after recorded_at, so that an entry stored
// before that limit was enforced cannot push the decay anchor out of reach.
func (e Entry) scoredAt() int64 {
	return min(e.OccurredAt.Unix(), e.RecordedAt.Add(MaxClockSkew).Unix())
}

// Source says through which door an entry came in.
type Source string

// The sources of entries.
const (
	SourceGitHub  Source = "github"
	SourceDiscord Source = "discord"
	SourceCLI     Source = "cli"
)

func (s Source) valid() bool {
	return s == SourceGitHub || s == SourceDiscord || s == SourceCLI
}

// ZeroHash is the prev_hash of the first entry: 64 ASCII zeros.
var ZeroHash = strings.Repeat("0", 64)

// maxSafeInteger is the largest integer every JSON implementation reads
// exactly (IEEE 754 doubles); RFC 8785 numbers beyond it are not portable.
const maxSafeInteger = 1<<53 - 1

// Entry is one line of the ledger. Entries are appended and never changed;
// its JSON form (see MarshalJSON) is the same in the export, the API and the
// hash chain.
type Entry struct {
	Seq        int64     // position in the chain, 1, 2, ...
	ID         string    // stable identifier, see EntryID
	Kind       Kind      // what the entry records
	Member     int64     // member the entry is about
	Category   string    // contribution category; empty for link entries
	Points     int64     // points (negative on a revoke: the points it cancels)
	OccurredAt time.Time // when the contribution happened
	RecordedAt time.Time // when the ledger stored it
	Source     Source    // github, discord or cli
	SourceRef  string    // idempotency key, unique in the ledger
	Actor      string    // who caused the entry, e.g. "discord:1234"
	Note       string    // free text
	URL        string    // link to the contribution, if any
	PrevHash   string    // hash of the previous entry (ZeroHash for seq 1)
	Hash       string    // hash of this entry, see package doc
	// Data holds the structured facts of a kind (a payout's amount, a
	// poll's options) as canonical JSON; nil when there are none, and then
	// left out of the JSON form, so entries without it keep their hashes.
	Data json.RawMessage
}

// NewEntry is what a caller asks the ledger to append; the ledger fills in
// seq, id, recorded_at and the hashes.
type NewEntry struct {
	Kind       Kind
	Member     int64
	Category   string
	Points     int64
	OccurredAt time.Time
	Source     Source
	SourceRef  string
	Actor      string
	Note       string
	URL        string
	Data       json.RawMessage // see NewData; nil for none
}

func (n NewEntry) validate() error {
	switch {
	case !n.Kind.valid():
		return fmt.Errorf("unknown kind %q", n.Kind)
	case !n.Source.valid():
		return fmt.Errorf("unknown source %q", n.Source)
	case n.Kind.aboutMember() && n.Member <= 0:
		return fmt.Errorf("no member")
	case !n.Kind.aboutMember() && n.Member != 0:
		return fmt.Errorf("a %s entry is about no member: member must be 0", n.Kind)
	case n.SourceRef == "":
		return fmt.Errorf("no source_ref")
	case n.Kind.counts() && n.Category == "":
		return fmt.Errorf("no category")
	case n.Kind.counts() && n.Points < 0:
		return fmt.Errorf("points must be >= 0, revoke the entry instead")
	case n.Points > maxSafeInteger || n.Points < -maxSafeInteger:
		return fmt.Errorf("points out of range")
	case n.OccurredAt.IsZero():
		return fmt.Errorf("no occurred_at")
	}
	for _, s := range []string{n.Category, n.SourceRef, n.Actor, n.Note, n.URL} {
		if !utf8.ValidString(s) {
			return fmt.Errorf("text is not valid UTF-8")
		}
	}
	return nil
}

// EntryID is an entry's stable id, "e" and its seq: short enough to type in
// a command, and increasing, so its unique index grows at one end and costs
// appends nothing.
func EntryID(seq int64) string { return "e" + strconv.FormatInt(seq, 10) }

// timeFormat is RFC 3339 in UTC with whole seconds: fixed width, so the
// hashed text of a time is the same in every language.
const timeFormat = "2006-01-02T15:04:05Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// appendTime appends formatTime(t) as a JSON string. time formats
// RFC 3339 by a path of its own (a quarter of a layout's cost, with no
// allocation), whose text for a UTC time is timeFormat's (FuzzAppendTime
// holds it to that).
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339)
	return append(b, '"')
}

// CanonicalJSON returns the entry without its hash as RFC 8785 (JCS)
// canonical JSON: the bytes the hash covers.
func (e Entry) CanonicalJSON() []byte { return e.appendJSON(e.jsonBuffer(), false) }

// MarshalJSON returns the entry's one JSON form, hash included. It is itself
// canonical: keys sorted, no whitespace.
func (e Entry) MarshalJSON() ([]byte, error) { return e.appendJSON(e.jsonBuffer(), true), nil }

// jsonBuffer is a buffer that holds the entry's JSON form in one
// allocation unless its texts need escapes: grown from nothing, it took
// five.
func (e Entry) jsonBuffer() []byte {
	const fixed = 448 // names, hashes, times, numbers and quotes, with room
	return make([]byte, 0, fixed+len(e.Actor)+len(e.Category)+len(e.Data)+len(e.ID)+len(e.Note)+len(e.SourceRef)+len(e.URL))
}

// appendJSON writes the members in JCS order (sorted by UTF-16 code units,
// which for these ASCII names is byte order).
func (e Entry) appendJSON(b []byte, withHash bool) []byte {
	b = append(b, `{"actor":`...)
	b = appendJCSString(b, e.Actor)
	b = append(b, `,"category":`...)
	b = appendJCSString(b, e.Category)
	if len(e.Data) > 0 {
		b = append(b, `,"data":`...)
		b = append(b, e.Data...)
	}
	if withHash {
		b = append(b, `,"hash":`...)
		b = appendJCSString(b, e.Hash)
	}
	b = append(b, `,"id":`...)
	b = appendJCSString(b, e.ID)
	b = append(b, `,"kind":`...)
	b = appendJCSString(b, string(e.Kind))
	b = append(b, `,"member":`...)
	b = strconv.AppendInt(b, e.Member, 10)
	b = append(b, `,"note":`...)
	b = appendJCSString(b, e.Note)
	b = append(b, `,"occurred_at":`...)
	b = appendTime(b, e.OccurredAt)
	b = append(b, `,"points":`...)
	b = strconv.AppendInt(b, e.Points, 10)
	b = append(b, `,"prev_hash":`...)
	b = appendJCSString(b, e.PrevHash)
	b = append(b, `,"recorded_at":`...)
	b = appendTime(b, e.RecordedAt)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, `,"source":`...)
	b = appendJCSString(b, string(e.Source))
	b = append(b, `,"source_ref":`...)
	b = appendJCSString(b, e.SourceRef)
	b = append(b, `,"url":`...)
	b = appendJCSString(b, e.URL)
	return append(b, '}')
}

// appendJCSString quotes s as RFC 8785 §3.2.2.2 requires (ECMAScript
// JSON.stringify): only '"', '\\' and control characters are escaped, the
// five short escapes are used where they exist, other controls as \u00xx in
// lowercase hex. Unlike encoding/json, <, >, &, U+2028 and U+2029 are left
// as they are.
func appendJCSString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\f':
			b = append(b, '\\', 'f')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// ChainHash computes an entry's hash from the previous hash and the
// entry's canonical JSON: lowercase hex of SHA-256(prev_hash ‖ JCS(entry)).
func ChainHash(prevHash string, canonical []byte) string {
	h := sha256.New()
	h.Write([]byte(prevHash))
	h.Write(canonical)
	return hex.EncodeToString(h.Sum(nil))
}

// hashInto is ChainHash for hot loops: it builds prev_hash ‖ JCS(entry)
// in buf and writes the hex digest to out, allocating nothing.
func (e Entry) hashInto(buf []byte, out *[64]byte) []byte {
	buf = append(buf[:0], e.PrevHash...)
	buf = e.appendJSON(buf, false)
	sum := sha256.Sum256(buf)
	hex.Encode(out[:], sum[:])
	return buf
}
