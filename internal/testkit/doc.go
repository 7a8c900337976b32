// Package testkit is what the tests of every package share: a settable
// clock, a log buffer safe across goroutines, and golden files rewritten
// by one -update flag. Only tests import it.
package testkit
