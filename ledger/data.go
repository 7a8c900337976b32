package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDataDepth bounds the nesting of an entry's data: deep enough for a
// tally's per-college figures, shallow enough that hostile input cannot
// exhaust the stack.
const maxDataDepth = 8

// maxDataBytes bounds one entry's data: a poll's electorate of tens of
// thousands of members fits, a runaway caller does not.
const maxDataBytes = 4 << 20

// NewData encodes v (a struct, a map…) as an entry's data: RFC 8785
// canonical JSON holding only objects, arrays, strings and integers. An
// empty object gives nil, so that the entry carries no data at all.
func NewData(v any) (json.RawMessage, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return CanonicalData(raw)
}

// CanonicalData checks that raw is a JSON object of strings, integers,
// arrays and objects (no floats, booleans or nulls: every language reads
// them the same) and returns its canonical form; "{}" and empty input give
// nil.
func CanonicalData(raw []byte) (json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	if len(raw) > maxDataBytes {
		return nil, fmt.Errorf("data: larger than %d bytes", maxDataBytes)
	}
	if !utf8.Valid(raw) { // encoding/json would silently replace bad bytes
		return nil, fmt.Errorf("data: text is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("data: trailing text after the object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("data: must be a JSON object")
	}
	if len(obj) == 0 {
		return nil, nil
	}
	return appendData(nil, obj, 0)
}

// appendData writes v as RFC 8785 JSON, refusing what an entry may not hold.
func appendData(b []byte, v any, depth int) ([]byte, error) {
	if depth > maxDataDepth {
		return nil, fmt.Errorf("data: nested deeper than %d levels", maxDataDepth)
	}
	switch v := v.(type) {
	case string:
		if !utf8.ValidString(v) {
			return nil, fmt.Errorf("data: text is not valid UTF-8")
		}
		return appendJCSString(b, v), nil
	case json.Number:
		return appendDataInt(b, v)
	case []any:
		return appendDataArray(b, v, depth)
	case map[string]any:
		return appendDataObject(b, v, depth)
	case nil:
		return nil, fmt.Errorf("data: null is not allowed, leave the key out")
	default:
		return nil, fmt.Errorf("data: %T values are not allowed, use a string or an integer", v)
	}
}

func appendDataInt(b []byte, n json.Number) ([]byte, error) {
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || i > maxSafeInteger || i < -maxSafeInteger {
		return nil, fmt.Errorf("data: %s is not an integer within ±2^53: write it as a string", n)
	}
	return strconv.AppendInt(b, i, 10), nil
}

func appendDataArray(b []byte, vs []any, depth int) ([]byte, error) {
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendData(b, v, depth+1); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// appendDataObject sorts keys by their UTF-16 code units, as RFC 8785
// §3.2.3 requires (it differs from byte order beyond the BMP).
func appendDataObject(b []byte, obj map[string]any, depth int) ([]byte, error) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		if !utf8.ValidString(k) {
			return nil, fmt.Errorf("data: key is not valid UTF-8")
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
	})
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendJCSString(b, k), ':')
		var err error
		if b, err = appendData(b, obj[k], depth+1); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}
