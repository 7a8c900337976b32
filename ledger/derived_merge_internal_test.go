package ledger

import (
	"slices"
	"testing"
)

// TestKeyMerge walks the chain's keys beside table rows: rows the chain
// lacks are not found, keys the table lacks go to only, in order, and a
// row out of order is refused rather than reported as missing rows.
func TestKeyMerge(t *testing.T) {
	k := func(member int64, category string) repKey { return repKey{member: member, category: category} }
	tests := []struct {
		name      string
		table     []repKey
		wantFound []bool
		wantOnly  []repKey
		wantErr   bool
	}{
		{"same", []repKey{k(1, "code"), k(1, "doc"), k(2, "code")}, []bool{true, true, true}, nil, false},
		{"table lacks keys", []repKey{k(1, "doc")}, []bool{true}, []repKey{k(1, "code"), k(2, "code")}, false},
		{"chain lacks rows", []repKey{k(0, "x"), k(1, "code"), k(1, "doc"), k(1, "zz"), k(2, "code"), k(3, "a")},
			[]bool{false, true, true, false, true, false}, nil, false},
		{"out of order", []repKey{k(2, "code"), k(1, "code")}, []bool{true}, []repKey{k(1, "code"), k(1, "doc")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var only []repKey
			m := keyMerge{keys: []repKey{k(1, "code"), k(1, "doc"), k(2, "code")}, order: memberFirst,
				only: func(k repKey) error { only = append(only, k); return nil }}
			var found []bool
			var err error
			for _, row := range tt.table {
				var f bool
				if f, err = m.next(row); err != nil {
					break
				}
				found = append(found, f)
			}
			if err == nil {
				err = m.rest()
			}
			if (err != nil) != tt.wantErr || !slices.Equal(found, tt.wantFound) || !slices.Equal(only, tt.wantOnly) {
				t.Errorf("found %v, only %v, err %v; want %v, %v, error %v", found, only, err, tt.wantFound, tt.wantOnly, tt.wantErr)
			}
		})
	}
}
