package testkit

import (
	"fmt"
	"os"
	"strconv"
)

// ResidentBytes is the resident set of process pid, read from
// /proc/<pid>/statm; 0 where that cannot be read (another system, or a
// process that is gone).
func ResidentBytes(pid int) int64 {
	statm, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	var size, resident int64
	if _, err := fmt.Sscan(string(statm), &size, &resident); err != nil {
		return 0
	}
	return resident * int64(os.Getpagesize())
}
