package config

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Error is a problem with one key of the configuration.
type Error struct {
	Key  string // dotted path such as "scoring.half_life_days"; empty for the whole file
	Line int    // line in the file; 0 when the value did not come from a file
	Msg  string
}

// Error formats the problem as "config: KEY (line N): MSG", leaving out the
// parts that are unknown.
func (e *Error) Error() string {
	switch {
	case e.Key != "" && e.Line > 0:
		return fmt.Sprintf("config: %s (line %d): %s", e.Key, e.Line, e.Msg)
	case e.Key != "":
		return fmt.Sprintf("config: %s: %s", e.Key, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("config: line %d: %s", e.Line, e.Msg)
	default:
		return "config: " + e.Msg
	}
}

// maxErrors bounds the report: past a handful, the file is simply wrong and
// a wall of errors (or an alias-multiplied one) helps nobody.
const maxErrors = 20

// Load reads the configuration file at path, expands ${VAR} references
// through getenv (usually os.LookupEnv; tests pass a map), and validates the
// result. Keys absent from the file keep their defaults. An empty path means
// no file: defaults and the secrets' variables only.
func Load(path string, getenv func(string) (string, bool)) (*Config, error) {
	if path == "" {
		c := FromEnv(getenv)
		if err := c.Validate(); err != nil {
			return nil, err
		}
		return c, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return LoadBytes(data, getenv)
}

// LoadBytes is Load for a document already in memory.
func LoadBytes(data []byte, getenv func(string) (string, bool)) (*Config, error) {
	root, err := parse(data)
	if err != nil {
		return nil, err
	}

	c := Default()
	d := &decoder{getenv: getenv, lines: make(map[string]int), seen: make(map[string]bool)}
	if root != nil {
		d.decode(root, "", reflect.ValueOf(c).Elem())
	}
	if err := d.err(); err != nil {
		return nil, err
	}

	// A secret the file does not mention comes from its conventional variable,
	// so a file that only tunes scoring still turns the integrations on.
	for _, s := range secrets {
		if !d.seen[s.key] {
			*s.field(c), _ = getenv(s.env)
		}
	}

	if err := c.validate(d.lines); err != nil {
		return nil, err
	}
	return c, nil
}

// parse returns the root node of the single document in data, or nil when the
// document is empty.
func parse(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, yamlError(err)
	}

	// A second document would be silently ignored by a plain Unmarshal; a
	// member who pasted two configs one after the other deserves to know.
	for {
		var extra yaml.Node
		err := dec.Decode(&extra)
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, yamlError(err)
		}
		if n := docRoot(&extra); n != nil {
			return nil, &Error{Line: n.Line, Msg: "only one YAML document is allowed"}
		}
	}
	return docRoot(&doc), nil
}

// docRoot returns the content of a document node, or nil when it is empty.
func docRoot(doc *yaml.Node) *yaml.Node {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	if n := doc.Content[0]; !isNull(n) {
		return n
	}
	return nil
}

var yamlLine = regexp.MustCompile(`(?s)^yaml: line (\d+): (.*)$`)

// yamlError rewraps a YAML syntax error as "config: line N: ...".
func yamlError(err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{Line: line, Msg: m[2]}
	}
	return &Error{Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// decoder walks a YAML node tree into a Config by reflection over the yaml
// tags. Walking the nodes ourselves, rather than yaml.Unmarshal, is what lets
// every error carry the key path and its line.
type decoder struct {
	getenv func(string) (string, bool)
	lines  map[string]int  // key path -> line, for Validate
	seen   map[string]bool // secret keys present in the file
	errs   []error
}

func (d *decoder) fail(key string, line int, format string, args ...any) {
	if len(d.errs) <= maxErrors {
		d.errs = append(d.errs, &Error{Key: key, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
}

func (d *decoder) err() error {
	if len(d.errs) > maxErrors {
		d.errs = append(d.errs[:maxErrors], &Error{Msg: "too many errors, stopping here"})
	}
	return joinErrors(d.errs)
}

// joinErrors returns nil, the only error, or all of them one per line.
func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

func (d *decoder) decode(n *yaml.Node, key string, v reflect.Value) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		d.decodeText(n, key, u)
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, key, v)
	case reflect.Map:
		d.decodeMap(n, key, v)
	case reflect.Slice:
		d.decodeList(n, key, v)
	case reflect.String:
		d.decodeString(n, key, v)
	case reflect.Int:
		d.decodeInt(n, key, v)
	case reflect.Bool:
		d.decodeBool(n, key, v)
	default:
		panic("config: no decoder for " + v.Type().String()) // a new field type needs a case above
	}
}

// decodeStruct sets the fields named in the mapping n and leaves the others
// at their defaults.
func (d *decoder) decodeStruct(n *yaml.Node, key string, v reflect.Value) {
	if isNull(n) {
		return // "http:" with nothing under it keeps the defaults
	}
	if n.Kind != yaml.MappingNode {
		d.fail(key, n.Line, "must be a mapping of keys, got %s", describe(n))
		return
	}
	fields := fieldsByKey(v.Type())
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, ok := d.key(n.Content[i], key, seen)
		if !ok {
			continue
		}
		path := join(key, name)
		f, ok := fields[name]
		if !ok {
			d.fail(path, n.Content[i].Line, "unknown key")
			continue
		}
		d.lines[path] = n.Content[i].Line
		d.decode(n.Content[i+1], path, v.Field(f))
	}
}

// decodeMap replaces the whole map: a file that lists colleges or labels
// means exactly those, not those plus the defaults.
func (d *decoder) decodeMap(n *yaml.Node, key string, v reflect.Value) {
	v.Set(reflect.Zero(v.Type()))
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.fail(key, n.Line, "must be a mapping of names, got %s", describe(n))
		return
	}
	m := reflect.MakeMap(v.Type())
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, ok := d.key(n.Content[i], key, seen)
		if !ok {
			continue
		}
		path := join(key, name)
		d.lines[path] = n.Content[i].Line
		e := reflect.New(v.Type().Elem()).Elem()
		d.decode(n.Content[i+1], path, e)
		m.SetMapIndex(reflect.ValueOf(name), e)
	}
	if m.Len() > 0 {
		v.Set(m)
	}
}

// key returns the name of a mapping key, refusing what YAML allows but a
// configuration should not: complex keys, merge keys and duplicates.
func (d *decoder) key(k *yaml.Node, parent string, seen map[string]int) (string, bool) {
	if k.Kind != yaml.ScalarNode {
		d.fail(parent, k.Line, "keys must be plain names, got %s", describe(k))
		return "", false
	}
	if k.ShortTag() == "!!merge" {
		d.fail(parent, k.Line, "merge keys (<<) are not supported")
		return "", false
	}
	if k.Value == "" {
		d.fail(parent, k.Line, "keys must not be empty")
		return "", false
	}
	if first, ok := seen[k.Value]; ok {
		d.fail(join(parent, k.Value), k.Line, "duplicate key (first at line %d)", first)
		return "", false
	}
	seen[k.Value] = k.Line
	return k.Value, true
}

// decodeList replaces the whole list. Empty lists are stored as nil so that
// "repos: []" and an absent key compare equal.
func (d *decoder) decodeList(n *yaml.Node, key string, v reflect.Value) {
	v.Set(reflect.Zero(v.Type()))
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(key, n.Line, "must be a list, got %s", describe(n))
		return
	}
	if len(n.Content) == 0 {
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		path := fmt.Sprintf("%s[%d]", key, i)
		d.lines[path] = item.Line
		d.decode(item, path, s.Index(i))
	}
	v.Set(s)
}

// decodeString accepts any scalar as its source text: a Discord id written
// without quotes is a YAML integer, and reading the text keeps it exact.
func (d *decoder) decodeString(n *yaml.Node, key string, v reflect.Value) {
	if n.Kind != yaml.ScalarNode {
		d.fail(key, n.Line, "must be a string, got %s", describe(n))
		return
	}
	if env, ok := secretEnv(key); ok {
		d.seen[key] = true
		// The check runs before expansion: only the reference may be in the
		// file. The value is never quoted back, it may be a real secret.
		if n.Value != "" && !isNull(n) && !envRef.MatchString(n.Value) {
			d.fail(key, n.Line, "secrets must come from the environment, write ${%s}", env)
			return
		}
	}
	if isNull(n) {
		v.SetString("")
		return
	}
	if amountKeys[key] && n.ShortTag() != "!!str" {
		d.fail(key, n.Line, "must be a quoted decimal string like \"1000.00\", got %s", n.Value)
		return
	}
	s, err := d.expand(n.Value)
	if err != nil {
		d.fail(key, n.Line, "%v", err)
		return
	}
	v.SetString(s)
}

// decodeText reads a scalar as decodeString does, then parses it with the
// field's own UnmarshalText (a Schedule), so that what Load returns is
// parsed once and for all.
func (d *decoder) decodeText(n *yaml.Node, key string, u encoding.TextUnmarshaler) {
	var s string
	errs := len(d.errs)
	d.decodeString(n, key, reflect.ValueOf(&s).Elem())
	if len(d.errs) > errs {
		return
	}
	if err := u.UnmarshalText([]byte(s)); err != nil {
		d.fail(key, d.lines[key], "%v", err) // the key's line, as Validate reports
	}
}

func (d *decoder) decodeInt(n *yaml.Node, key string, v reflect.Value) {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!int":
			var i int
			if err := n.Decode(&i); err == nil {
				v.SetInt(int64(i))
				return
			}
		case "!!str":
			// "${POINTS}" is a string to YAML; the number is what it expands to.
			if strings.Contains(n.Value, "${") {
				s, err := d.expand(n.Value)
				if err != nil {
					d.fail(key, n.Line, "%v", err)
					return
				}
				if i, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
					v.SetInt(int64(i))
					return
				}
				d.fail(key, n.Line, "must be an integer, got %s", quote(s))
				return
			}
		}
	}
	d.fail(key, n.Line, "must be an integer, got %s", describe(n))
}

func (d *decoder) decodeBool(n *yaml.Node, key string, v reflect.Value) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		var b bool
		if err := n.Decode(&b); err == nil {
			v.SetBool(b)
			return
		}
	}
	d.fail(key, n.Line, "must be true or false, got %s", describe(n))
}

var (
	envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	envRef  = regexp.MustCompile(`^\$\{[A-Za-z_][A-Za-z0-9_]*\}$`)
)

// expand replaces ${VAR} with the variable's value (empty when unset) and
// $${ with a literal ${. It runs on one scalar at a time, after parsing, so a
// value containing YAML syntax stays a value.
func (d *decoder) expand(s string) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			b.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return "", errors.New(`"${" without a closing "}" (write $${ for a literal ${)`)
			}
			name := s[i+2 : i+end]
			if !envName.MatchString(name) {
				return "", fmt.Errorf("${%s}: %s is not a variable name", name, quote(name))
			}
			val, _ := d.getenv(name)
			b.WriteString(val)
			i += end + 1
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), nil
}

// amountKeys are money: they must be written as quoted strings, so that no
// tool reading the file ever takes them for floats.
var amountKeys = map[string]bool{"payouts.budget": true, "payouts.min_amount": true}

func secretEnv(key string) (string, bool) {
	for _, s := range secrets {
		if s.key == key {
			return s.env, true
		}
	}
	return "", false
}

// fieldsByKey maps yaml keys to field indexes.
func fieldsByKey(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		m[yamlKey(t.Field(i))] = i
	}
	return m
}

// yamlKey returns the key a field is written as in docracy.yaml.
func yamlKey(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node holds, for "got ..." in messages.
func describe(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case isNull(n):
		return "nothing"
	default:
		return quote(n.Value)
	}
}

// quote quotes a value for a message, cut short so one long value does not
// swamp the report.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}
