package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
)

// exampleConfig is the commented starter configuration that init writes.
//
//go:embed docracy.example.yaml
var exampleConfig []byte

func runInit(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "init")
	force := f.Bool("force", false, "overwrite the file if it exists")
	positional, err := f.parse(args, 1)
	if err != nil {
		return err
	}
	path := defaultConfig
	switch {
	case len(positional) == 1:
		path = positional[0]
	case f.config != "":
		path = f.config
	}
	mode := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if *force {
		mode = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	// The file holds no secrets (they stay in the environment), so it may
	// be readable by all like any configuration.
	file, err := os.OpenFile(path, mode, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists: pass --force to overwrite it", path)
	} else if err != nil {
		return err
	}
	if _, err := file.Write(exampleConfig); err != nil {
		file.Close()
		return err
	}
	if err := file.Close(); err != nil {
		return err
	}
	hint := "docracy serve"
	if path != defaultConfig {
		hint += " --config " + path
	}
	fmt.Fprintf(e.stdout, "wrote %s: edit it, then run %q\n", path, hint)
	return nil
}

// version is set by the build, -ldflags "-X main.version=v1.2.3"; when it
// is not, the module's build information tells.
var version string

func runVersion(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "version")
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "docracy %s\n", versionString())
	return nil
}

func versionString() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "-dirty"
			}
		}
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if revision != "" {
		v += " " + revision + modified
	}
	return v + " " + info.GoVersion
}
