// Command ferretdb runs FerretDB v1 (used as a library) with the SQLite backend
// for the local development / test stack. It is started by scripts/stack.sh.
//
// FerretDB is embedded through github.com/FerretDB/FerretDB/ferretdb because a
// plain `go install .../cmd/ferretdb` from the module proxy builds a binary
// that panics at start-up (its generated version files are not in the module zip).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27018", "TCP address to listen on (host:port)")
	dataDir := flag.String("data-dir", "data/ferretdb", "directory for the SQLite databases (created if missing)")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn or error")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "invalid -log-level %q: %v\n", *logLevel, err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(logger)

	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		logger.Error("resolving data dir", "error", err)
		os.Exit(1)
	}
	if err = os.MkdirAll(dir, 0o755); err != nil {
		logger.Error("creating data dir", "error", err)
		os.Exit(1)
	}
	// The SQLite backend wants a "file:" URI of a directory, ending with "/".
	sqliteURL := (&url.URL{Scheme: "file", Path: dir + "/"}).String()

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		logger.Error("creating FerretDB", "error", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	// Run initialises the listener; MongoDBURI blocks until it is ready.
	fmt.Fprintf(os.Stderr, "ferretdb: listening, uri=%s data=%s\n", f.MongoDBURI(), dir)

	if err = <-done; err != nil {
		logger.Error("FerretDB stopped with error", "error", err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, "ferretdb: stopped")
}
