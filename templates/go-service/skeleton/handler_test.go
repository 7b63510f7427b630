package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func get(t *testing.T, path string) *http.Response {
	t.Helper()
	server := httptest.NewServer(NewHandler())
	t.Cleanup(server.Close)
	res, err := http.Get(server.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func TestHealthz(t *testing.T) {
	res := get(t, "/healthz")
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || string(body) != "ok" {
		t.Fatalf("got %d %q, want 200 ok", res.StatusCode, body)
	}
}

func TestRootSaysWhichService(t *testing.T) {
	res := get(t, "/")
	var got map[string]string
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got["service"] != Service {
		t.Fatalf("service = %q, want %q", got["service"], Service)
	}
}

func TestUnknownRouteIsNotFound(t *testing.T) {
	if res := get(t, "/nowhere"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("got %d, want 404", res.StatusCode)
	}
}
