package main

import "fmt"

// progress shows "verb: done/total entries (P%)" on stderr, rewritten in
// place, when stderr is a terminal; update may be called for every batch,
// as the line changes only with the percentage or every half second. end
// clears the line. Without a terminal both do nothing: a log or a pipe
// gets no carriage returns.
func (e *env) progress(verb string, total int64) (update func(done int64), end func()) {
	if !e.stderrTerminal {
		return func(int64) {}, func() {}
	}
	shown := int64(-1)
	update = func(done int64) {
		percent := int64(100)
		if total > 0 {
			percent = min(100, done*100/total)
		}
		if percent == shown {
			return
		}
		shown = percent
		fmt.Fprintf(e.stderr, "\r%s: %d/%d entries (%d%%)\033[K", verb, done, total, percent)
	}
	end = func() {
		if shown >= 0 {
			fmt.Fprint(e.stderr, "\r\033[K")
		}
	}
	return update, end
}
