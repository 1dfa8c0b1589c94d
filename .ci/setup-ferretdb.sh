#!/usr/bin/env bash
# Builds FerretDB v1.24.2 (a MongoDB-wire-compatible server) from the Go module proxy, starts it on
# loopback with the SQLite backend, waits until it accepts connections and prints
#   export MONGODB_URI=mongodb://127.0.0.1:PORT/
# on stdout (the caller evals it). Also writes the URI to $FERRETDB_STATE/uri and the pid to
# $FERRETDB_STATE/pid. Idempotent: the binary is built once into $RIMAG_CI_BIN; a server already
# running from an earlier call (pid alive and port answering) is reused.
#
# Usage (from .ci/run):   uri_line="$(bash .ci/setup-ferretdb.sh)" || exit 1; eval "$uri_line"
# Build only (start early in the background; a later call waits for it): bash .ci/setup-ferretdb.sh build &
# Stop it:                bash .ci/setup-ferretdb.sh stop
# A fresh machine downloads ~100 modules and compiles for a few minutes (measured 2.5 CPU-minutes,
# 11 wall-clock minutes on a busy 2-core machine); later calls reuse the binary.
set -euo pipefail

FERRETDB_VERSION="v1.24.2"
RIMAG_CI_BIN="${RIMAG_CI_BIN:-$HOME/.cache/rimag-ci/bin}"
FERRETDB_STATE="${FERRETDB_STATE:-$HOME/.cache/rimag-ci/ferretdb}"
BIN="$RIMAG_CI_BIN/ferretdb"

log() { echo "setup-ferretdb: $*" >&2; }

stop_server() {
  if [[ -f "$FERRETDB_STATE/pid" ]]; then
    local pid; pid="$(cat "$FERRETDB_STATE/pid")"
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" || true; log "stopped pid $pid"; fi
    rm -f "$FERRETDB_STATE/pid" "$FERRETDB_STATE/uri"
  fi
}

if [[ "${1:-}" == "stop" ]]; then stop_server; exit 0; fi

build_binary() {
  mkdir -p "$RIMAG_CI_BIN"
  # One build at a time: a background `build` and the foreground call share this lock.
  exec 9>"$RIMAG_CI_BIN/.ferretdb-build.lock"
  flock 9
  if [[ -x "$BIN" ]]; then log "using cached $BIN"; exec 9>&-; return; fi
  command -v go >/dev/null || { log "go is not installed"; exit 1; }
  mkdir -p "$RIMAG_CI_BIN"
  local scratch; scratch="$(mktemp -d)"
  log "building FerretDB $FERRETDB_VERSION with the Go module proxy (takes a few minutes)"
  # Build from a writable copy of the module source fetched through the Go module proxy:
  # FerretDB's build/version package panics at start unless build/version/version.txt holds the
  # version (their release tooling generates it; plain `go install pkg@v` leaves it out, and its
  # deprecation check also asks the proxy for the version list, which is refused with 403).
  local dir
  dir="$(cd "$scratch" && go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" && -d "$dir" ]] || { log "go mod download of FerretDB $FERRETDB_VERSION failed"; exit 1; }
  cp -r "$dir" "$scratch/src" && chmod -R u+w "$scratch/src"
  echo "$FERRETDB_VERSION" >"$scratch/src/build/version/version.txt"
  # Build beside the target and rename: an interrupted build never leaves a broken cached binary.
  (cd "$scratch/src" && GOFLAGS=-buildvcs=false go build -o "$BIN.tmp" ./cmd/ferretdb) >&2
  mv "$BIN.tmp" "$BIN"
  rm -rf "$scratch"
  [[ -x "$BIN" ]] || { log "build failed: $BIN missing"; exit 1; }
  exec 9>&-
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

reuse_running() {
  [[ -f "$FERRETDB_STATE/pid" && -f "$FERRETDB_STATE/uri" ]] || return 1
  local pid uri port
  pid="$(cat "$FERRETDB_STATE/pid")"; uri="$(cat "$FERRETDB_STATE/uri")"
  port="${uri##*:}"; port="${port%/}"
  kill -0 "$pid" 2>/dev/null && port_open "$port" || return 1
  log "reusing running FerretDB pid $pid"
  echo "export MONGODB_URI=$uri"
}

start_server() {
  mkdir -p "$FERRETDB_STATE"
  local port data
  # reuse_running failed: stop a half-alive server from an earlier call, then drop old data folders.
  stop_server
  rm -rf "$FERRETDB_STATE"/data-*
  port="$(free_port)"
  data="$FERRETDB_STATE/data-$port"
  mkdir -p "$data"
  # --debug-addr=- disables the debug HTTP listener; telemetry off so nothing leaves the machine.
  nohup "$BIN" --handler=sqlite --sqlite-url="file:$data/" \
    --listen-addr="127.0.0.1:$port" --debug-addr=- --telemetry=disable --log-level=warn \
    --state-dir="$FERRETDB_STATE" >"$FERRETDB_STATE/ferretdb.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$FERRETDB_STATE/pid"
  for _ in $(seq 1 100); do
    if port_open "$port"; then
      local uri="mongodb://127.0.0.1:$port/"
      echo "$uri" >"$FERRETDB_STATE/uri"
      log "FerretDB $FERRETDB_VERSION pid $pid on $uri"
      echo "export MONGODB_URI=$uri"
      return
    fi
    kill -0 "$pid" 2>/dev/null || { log "FerretDB exited:"; cat "$FERRETDB_STATE/ferretdb.log" >&2; exit 1; }
    sleep 0.2
  done
  log "FerretDB did not accept connections within 20 s"; cat "$FERRETDB_STATE/ferretdb.log" >&2; exit 1
}

build_binary
if [[ "${1:-}" == "build" ]]; then exit 0; fi
reuse_running || start_server
