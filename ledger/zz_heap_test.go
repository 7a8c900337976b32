package ledger_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

func TestZZHeap(t *testing.T) {
	l := openPath(t, "/tmp/mem/big.db", ledger.Options{HalfLife: ledgertest.HalfLife})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, _, err := l.VerifyAll(context.Background(), nil); err != nil {
			t.Error(err)
		}
	}()
	for i := 1; ; i++ {
		select {
		case <-done:
			return
		case <-time.After(700 * time.Millisecond):
		}
		runtime.GC()
		f, _ := os.Create(fmt.Sprintf("/tmp/mem/vheap%d.out", i))
		pprof.Lookup("heap").WriteTo(f, 0)
		f.Close()
	}
}
