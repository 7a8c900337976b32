package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// tableShape is what of a PostgreSQL table CREATE TABLE … (LIKE …
// EXCLUDING INDEXES) leaves out: its keys (primary, unique, foreign,
// exclusion) and its other indexes, each by name with its definition as
// PostgreSQL prints it, and the table's name as those definitions spell it.
type tableShape struct {
	table       string // as pg_get_indexdef spells it: schema-qualified, quoted where needed
	constraints []namedDefinition
	indexes     []namedDefinition
}

// namedDefinition is a constraint or index: its name, quoted where needed,
// and its definition.
type namedDefinition struct{ name, definition string }

// readTableShape reads table's keys and indexes.
func readTableShape(ctx context.Context, tx *sql.Tx, table string) (tableShape, error) {
	shape := tableShape{}
	err := tx.QueryRowContext(ctx, `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(?)`, table).Scan(&shape.table)
	if err != nil {
		return shape, err
	}
	shape.constraints, err = namedDefinitions(tx.QueryContext(ctx, `SELECT quote_ident(conname), pg_get_constraintdef(oid)
		FROM pg_constraint WHERE conrelid = to_regclass(?) AND contype IN ('p', 'u', 'f', 'x') ORDER BY conname`, table))
	if err != nil {
		return shape, err
	}
	shape.indexes, err = namedDefinitions(tx.QueryContext(ctx, `SELECT quote_ident(indexname), indexdef FROM pg_indexes
		WHERE schemaname = current_schema() AND tablename = ?
		AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(?)) ORDER BY indexname`, table, table))
	return shape, err
}

func namedDefinitions(rows *sql.Rows, err error) ([]namedDefinition, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []namedDefinition
	for rows.Next() {
		var d namedDefinition
		if err := rows.Scan(&d.name, &d.definition); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// aside is the name a constraint or index has on the table built beside,
// until the swap gives it its own back. PostgreSQL cuts longer names at
// 63 bytes, which would make two names one.
func aside(name string) (string, error) {
	if len(name) > 58 || strings.HasPrefix(name, `"`) {
		return "", fmt.Errorf("name %s is too long or quoted to build aside", name)
	}
	return name + "_next", nil
}

// build gives next the shape's keys and indexes, under their names aside.
func (s tableShape) build(ctx context.Context, tx *sql.Tx, next string) error {
	for _, c := range s.constraints {
		name, err := aside(c.name)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "ALTER TABLE "+next+" ADD CONSTRAINT "+name+" "+c.definition); err != nil {
			return fmt.Errorf("add %s to %s: %w", c.name, next, err)
		}
	}
	for _, ix := range s.indexes {
		definition, err := s.indexOn(ix, next)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, definition); err != nil {
			return fmt.Errorf("create index %s on %s: %w", ix.name, next, err)
		}
	}
	_, err := tx.ExecContext(ctx, "ANALYZE "+next) // as autovacuum would, before readers plan on it
	return err
}

// indexOn is ix's definition for the table next under its name aside. A
// definition as PostgreSQL prints it starts "CREATE [UNIQUE] INDEX name
// ON table "; one that does not is refused rather than guessed at.
func (s tableShape) indexOn(ix namedDefinition, next string) (string, error) {
	name, err := aside(ix.name)
	if err != nil {
		return "", err
	}
	from := " INDEX " + ix.name + " ON " + s.table + " "
	if !strings.Contains(ix.definition, from) {
		return "", fmt.Errorf("index %s: definition %q does not read as expected", ix.name, ix.definition)
	}
	return strings.Replace(ix.definition, from, " INDEX "+name+" ON "+next+" ", 1), nil
}

// swap drops the table and puts next in its place, its keys and indexes
// under their own names again.
func (s tableShape) swap(ctx context.Context, tx *sql.Tx, next string) error {
	table := s.table[strings.LastIndex(s.table, ".")+1:]
	statements := []string{"DROP TABLE " + s.table, "ALTER TABLE " + next + " RENAME TO " + table}
	for _, c := range s.constraints {
		name, _ := aside(c.name)
		statements = append(statements, "ALTER TABLE "+s.table+" RENAME CONSTRAINT "+name+" TO "+c.name)
	}
	for _, ix := range s.indexes {
		name, _ := aside(ix.name)
		statements = append(statements, "ALTER INDEX "+name+" RENAME TO "+ix.name)
	}
	for _, q := range statements {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("put %s in place of %s: %w", next, s.table, err)
		}
	}
	return nil
}
