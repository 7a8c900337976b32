package testkit

import (
	"io"
	"net/http"
	"testing"
)

// Do sends a request with the header and body given (body may be nil)
// through client, and returns the response with its body read and closed.
// A body that is not a *bytes.Reader, *bytes.Buffer or *strings.Reader is
// sent chunked, with no Content-Length. Any failure to send or read ends
// the test.
func Do(tb testing.TB, client *http.Client, method, url string, header http.Header, body io.Reader) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	read, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, read
}
