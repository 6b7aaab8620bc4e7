#!/usr/bin/env bash
# Starts a local Docker engine for the sandbox if none is reachable. Idempotent: when `docker info`
# already works (a system service, Docker Desktop, a previous run of this script) it does nothing.
#
# The engine is started with --bridge=none --iptables=false: sandbox containers always run with
# network "none", so the engine needs no bridge, no NAT and no firewall rules (which also lets it run
# inside machines where iptables is unavailable).
set -euo pipefail

LOG="${APIEVAL_DOCKERD_LOG:-/var/log/apieval-dockerd.log}"
WAIT_S="${APIEVAL_DOCKERD_WAIT_S:-60}"

if docker info >/dev/null 2>&1; then
  echo "start-engine: docker engine already reachable"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "start-engine: dockerd not found; install it first (apt-get install -y docker.io)" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "start-engine: no engine reachable and not root; start Docker yourself (or run this as root)" >&2
  exit 1
fi

mkdir -p "$(dirname "$LOG")"
# containerd is started by dockerd itself when no system containerd socket exists.
# setsid + nohup: the engine must outlive this script and the CI step that ran it.
setsid nohup dockerd --bridge=none --iptables=false --ip6tables=false >>"$LOG" 2>&1 </dev/null &
PID=$!
echo "start-engine: started dockerd (pid $PID, log $LOG)"

for _ in $(seq 1 "$WAIT_S"); do
  if docker info >/dev/null 2>&1; then
    echo "start-engine: docker engine ready"
    exit 0
  fi
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "start-engine: dockerd exited early; last lines of $LOG:" >&2
    tail -n 30 "$LOG" >&2 || true
    exit 1
  fi
  sleep 1
done
echo "start-engine: docker engine not ready after ${WAIT_S}s; last lines of $LOG:" >&2
tail -n 30 "$LOG" >&2 || true
exit 1
