#!/usr/bin/env bash
# The container part of CI (.ci/run), runnable by hand as root: an engine of its own
# (deploy/ci/engine.sh), the base images (pulled ones, or offline stand-ins from
# deploy/ci/offline-images.sh), `docker build` of deploy/docker/Dockerfile, the runtime image's
# size (at most XVAULT_CI_IMAGE_MAX_MB, default 300), then deploy/ci/compose-test.sh. The engine
# is stopped by its pid on the way out, failed or not. Never skipped: if the engine cannot start,
# this fails with the reason.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/ci/engine.sh

max_mb=${XVAULT_CI_IMAGE_MAX_MB:-300}
started=$SECONDS
summary=()
phase() { summary+=("$(printf '%-28s %4d s' "$1" "$((SECONDS - $2))")"); }
trap engine_stop EXIT
# Killed or interrupted: exit through the EXIT trap, so the engine is still stopped by its pid.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

t=$SECONDS
engine_start || { echo "containers: FAILED: the Docker engine did not start (above); the container tests cannot run" >&2; exit 1; }
phase "engine start" "$t"

t=$SECONDS
bash deploy/ci/offline-images.sh
phase "base images" "$t"

echo
echo "== docker build -f deploy/docker/Dockerfile -t xvault:local ."
build_log=$(mktemp /tmp/xvault-ci-build.XXXXXX)
t=$SECONDS
if ! docker build -f deploy/docker/Dockerfile -t xvault:local . >"$build_log" 2>&1; then
  tail -n 60 "$build_log" >&2
  echo "containers: FAILED: docker build (full log: $build_log)" >&2
  exit 1
fi
phase "docker build" "$t"
grep -E '^Step [0-9]+/[0-9]+ : (FROM|RUN)|^Successfully' "$build_log" | cut -c1-120
# The legacy builder keeps the build and deps stages as untagged images: they are its layer
# cache for the next run, so only old ones go.
docker image prune -f --filter until=168h >/dev/null

echo
echo "== the runtime image"
docker image ls xvault:local
size_mb=$(docker image inspect -f '{{.Size}}' xvault:local | awk '{ printf "%d", $1 / 1000000 }')
echo "xvault:local: $size_mb MB (limit $max_mb MB); $(docker run --rm xvault:local --version);" \
  "runs as $(docker image inspect -f '{{.Config.User}}' xvault:local)"
[ "$size_mb" -le "$max_mb" ] || { echo "containers: FAILED: the runtime image is $size_mb MB, over $max_mb MB" >&2; exit 1; }

t=$SECONDS
bash deploy/ci/compose-test.sh
phase "compose test" "$t"

echo
echo "== containers: passed in $((SECONDS - started)) s ($(docker version -f 'engine {{.Server.Version}}'), $(docker-compose version --short 2>/dev/null | sed 's/^/docker-compose /'), image $size_mb MB)"
printf '  %s\n' "${summary[@]}"
echo "  engine data root: $(du -sh "$XVAULT_CI_DOCKER_ROOT/data" 2>/dev/null | cut -f1) in $XVAULT_CI_DOCKER_ROOT (kept as a cache)"
