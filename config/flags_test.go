package config_test

// The test kit defines the -update flag of golden files: linked here too,
// go test ./... -update runs this package instead of refusing the flag.
import _ "github.com/docracy/docracy/internal/testkit"
