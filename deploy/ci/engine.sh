#!/usr/bin/env bash
# A Docker engine of CI's own, never the machine's: its own data root, exec root, pidfile and
# socket, stopped by its own pid. Source it, then:
#
#   engine_start     starts dockerd, exports DOCKER_HOST, waits until it answers; fails with the
#                    reason (its log) if it does not
#   engine_stop      stops that dockerd (by its pid) and waits for it to exit
#
# XVAULT_CI_DOCKER_ROOT (default /var/cache/xvault-ci-docker) keeps the images between runs on
# one machine, as an optimisation only: an empty or missing directory works the same, just
# slower. The exec root and socket live in a fresh temporary directory (short paths: unix
# socket paths are limited to 108 bytes).

XVAULT_CI_DOCKER_ROOT=${XVAULT_CI_DOCKER_ROOT:-/var/cache/xvault-ci-docker}
# A bridge subnet of its own, so it never meets another engine's leftover NAT rules.
XVAULT_CI_DOCKER_BIP=${XVAULT_CI_DOCKER_BIP:-172.29.0.1/24}
XVAULT_CI_DOCKER_POOL=${XVAULT_CI_DOCKER_POOL:-172.29.128.0/17}
engine_pid=""
engine_run=""

engine_fail() {
  echo "engine: $*" >&2
  if [ -n "$engine_run" ] && [ -s "$engine_run/dockerd.log" ]; then
    echo "---- last lines of dockerd's log ($engine_run/dockerd.log) ----" >&2
    tail -n 20 "$engine_run/dockerd.log" >&2
  fi
  return 1
}

engine_start() {
  command -v dockerd >/dev/null || { engine_fail "dockerd is not installed (apt-get install docker.io)"; return 1; }
  [ "$(id -u)" = 0 ] || { engine_fail "dockerd needs root, running as uid $(id -u)"; return 1; }
  mkdir -p "$XVAULT_CI_DOCKER_ROOT/data"
  # One engine per data root: dockerd would refuse a second one anyway, this says why.
  local lock="$XVAULT_CI_DOCKER_ROOT/dockerd.pid"
  # (A pidfile left by a killed run names a pid that may since belong to anything else.)
  if [ -s "$lock" ] && tr '\0' ' ' <"/proc/$(cat "$lock")/cmdline" 2>/dev/null | grep -q "^dockerd .*$XVAULT_CI_DOCKER_ROOT/data"; then
    engine_fail "another dockerd (pid $(cat "$lock")) uses $XVAULT_CI_DOCKER_ROOT"
    return 1
  fi
  engine_run=$(mktemp -d /tmp/xvault-docker.XXXXXX)
  local started=$SECONDS
  dockerd \
    --data-root "$XVAULT_CI_DOCKER_ROOT/data" \
    --exec-root "$engine_run/exec" \
    --pidfile "$engine_run/dockerd.pid" \
    --host "unix://$engine_run/docker.sock" \
    --storage-driver overlay2 \
    --bip "$XVAULT_CI_DOCKER_BIP" \
    --default-address-pool "base=$XVAULT_CI_DOCKER_POOL,size=24" \
    >"$engine_run/dockerd.log" 2>&1 &
  engine_pid=$!
  echo "$engine_pid" >"$lock"
  export DOCKER_HOST="unix://$engine_run/docker.sock"
  # No BuildKit: it would fetch its dockerfile frontend image from a registry.
  export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0
  for _ in $(seq 1 60); do
    if ! kill -0 "$engine_pid" 2>/dev/null; then
      engine_pid=""
      engine_fail "dockerd exited during start-up"
      return 1
    fi
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { engine_fail "dockerd did not answer on $DOCKER_HOST within 60 s"; return 1; }
  echo "engine: dockerd $(docker version -f '{{.Server.Version}}') pid $engine_pid on $DOCKER_HOST," \
    "data root $XVAULT_CI_DOCKER_ROOT/data, up in $((SECONDS - started)) s"
}

engine_stop() {
  if [ -z "$engine_pid" ]; then # never started, or exited by itself: only its directory is left
    [ -z "$engine_run" ] || rm -rf "$engine_run"
    engine_run=""
    return 0
  fi
  if kill -0 "$engine_pid" 2>/dev/null; then
    # Containers first, so that their volumes and the overlay mounts are released cleanly.
    local running
    running=$(docker ps -q 2>/dev/null || true)
    [ -z "$running" ] || docker stop -t 10 $running >/dev/null 2>&1 || true
    kill -TERM "$engine_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$engine_pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$engine_pid" 2>/dev/null; then
      echo "engine: dockerd $engine_pid still running after 30 s, killing it" >&2
      kill -KILL "$engine_pid" 2>/dev/null || true
    fi
  fi
  wait "$engine_pid" 2>/dev/null || true
  rm -f "$XVAULT_CI_DOCKER_ROOT/dockerd.pid"
  echo "engine: dockerd $engine_pid stopped"
  engine_pid=""
  [ -z "$engine_run" ] || rm -rf "$engine_run"
  engine_run=""
}
