package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"
)

//go:embed static
var staticFS embed.FS

// asset is an embedded static file and its version: a digest of its
// content, so that a new stylesheet gets a new address and browsers may
// keep each version for good.
type asset struct {
	body        []byte
	contentType string
	version     string
}

var assets = loadAssets()

func loadAssets() map[string]asset {
	out := map[string]asset{}
	err := fs.WalkDir(staticFS, "static", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		out[path.Base(p)] = asset{body: body, contentType: mime.TypeByExtension(path.Ext(p)), version: hex.EncodeToString(sum[:5])}
		return nil
	})
	if err != nil {
		panic(fmt.Sprintf("web: embedded assets: %v", err))
	}
	return out
}

// assetURL is the versioned address of an embedded file; templates call it
// as {{asset "style.css"}}.
func assetURL(name string) (string, error) {
	a, ok := assets[name]
	if !ok {
		return "", fmt.Errorf("no asset %q", name)
	}
	return "/static/" + name + "?v=" + a.version, nil
}

// handleStatic serves an embedded file. Asked for by its current version
// it may be cached for a year; asked for otherwise (an old page, a typed
// address) it must be revalidated, which the ETag makes cheap.
func (d *Dashboard) handleStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	a, ok := assets[name]
	if !ok {
		d.renderError(w, r, http.StatusNotFound, "There is no file at this address.")
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("ETag", `"`+a.version+`"`)
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}
