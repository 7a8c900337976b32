package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// TestCLIJSONEncodingFailureIsClear: --format json prints nothing rather
// than half a document, and says why.
func TestCLIJSONEncodingFailureIsClear(t *testing.T) {
	var out bytes.Buffer
	err := writeJSON(&out, []float64{1, math.Inf(1)})
	if err == nil || !strings.Contains(err.Error(), "--format json") || out.Len() != 0 {
		t.Errorf("writeJSON = %v, printed %q; want a clear error and nothing printed", err, out.String())
	}
}
