package main

import (
	"encoding/json"
	"net/http"
)

// Service is the name the service answers with.
const Service = "${{ values.name }}"

// NewHandler returns the service's routes (Go 1.22 method and path patterns).
func NewHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok"))
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"service": Service, "message": "hello"})
	})
	return mux
}
