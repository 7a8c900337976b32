package testkit

import (
	"io"
	"net/http"
	"testing"
)

// Do sends a request with no body and the header given through client,
// and returns the response with its body read and closed. Any failure to
// send or read ends the test.
func Do(tb testing.TB, client *http.Client, method, url string, header http.Header) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequest(method, url, nil)
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
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, body
}
