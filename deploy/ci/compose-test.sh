#!/usr/bin/env bash
# deploy/docker-compose.yml for real, on a running Docker engine (DOCKER_HOST), as a user runs it:
#
#   1. up --build: postgres, redis and the Hub healthy, the worker running and ready, /readyz
#      answering on the published port from the host;
#   2. --profile demo: the demo backup (deploy/demo/demo.sh) inside containers, then the
#      snapshot's artifact copied off the worker's volume and opened on the host with
#      age -d | zstd -d | tar x and the exported tenant key, and compared with the demo data;
#   3. docker stop of a busy worker (a large backup running): it exits within its stop timeout,
#      leaves no .partial file and no snapshot directory on the volume, the job is reported for a
#      retry, and the retry succeeds once the worker is back;
#   4. down (without -v) and up again: the snapshots are still listed, their files still on the
#      volume, and the worker runs as uid 10001;
#   5. the image without an init (plain docker run, node as PID 1): docker stop of a worker ends
#      it at once with exit 0, not after the 10 s SIGKILL.
#
# Its own project name, env file (a copy of .env.example) and a free host port, so it touches no
# other installation; everything it made (containers, network, volumes) is removed at the end
# (XVAULT_CI_KEEP=1 keeps it for a look). Needs docker-compose (1.29 or v2), curl, jq, age, zstd
# and the images deploy/ names (pulled, or deploy/ci/offline-images.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."

project=${XVAULT_CI_PROJECT:-xvaultci}
big_mib=${XVAULT_CI_BIG_MIB:-1024}
work=$(mktemp -d /tmp/xvault-compose-test.XXXXXX)
env_file="$work/.env"
started=$SECONDS
timings=()

say() { printf '\n== [%3d s] %s\n' "$((SECONDS - started))" "$*"; }
fail() { echo "compose-test: FAILED: $*" >&2; exit 1; }
mark() { timings+=("$(printf '%-42s %4d s' "$1" "$((SECONDS - $2))")"); }

if command -v docker-compose >/dev/null; then compose=(docker-compose); else compose=(docker compose); fi
dc() { "${compose[@]}" --project-name "$project" --env-file "$env_file" -f deploy/docker-compose.yml "$@"; }
dcd() { dc --profile demo "$@"; }
for tool in docker curl jq age zstd tar; do command -v "$tool" >/dev/null || fail "$tool is not installed"; done
docker info >/dev/null 2>&1 || fail "no Docker engine answers on ${DOCKER_HOST:-the default socket}"

# ---- the installation under test: .env.example, with this test's name, port and retry delay ----
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })')
sed -e "s/^COMPOSE_PROJECT_NAME=.*/COMPOSE_PROJECT_NAME=$project/" \
    -e "s/^HUB_PUBLISH=.*/HUB_PUBLISH=127.0.0.1:$port/" \
    -e "s/^HUB_RETRY_BASE_SECONDS=.*/HUB_RETRY_BASE_SECONDS=3/" \
    .env.example >"$env_file"
hub_url="http://127.0.0.1:$port"

on_exit() {
  local code=$?
  if [ "$code" != 0 ]; then
    echo "---- docker-compose ps / logs (last 60 lines each) ----" >&2
    dcd ps >&2 || true
    dcd logs --no-color --tail 60 >&2 || true
  fi
  if [ "${XVAULT_CI_KEEP:-}" = 1 ]; then
    echo "compose-test: kept project $project (env file $env_file)"
  else
    dcd down -v --remove-orphans >/dev/null 2>&1 || true
    rm -rf "$work"
  fi
  exit "$code"
}
trap on_exit EXIT

quietly() { # COMMAND...: runs it, showing its output without the image builds' step lines
  if ! "$@" >"$work/out" 2>&1; then cat "$work/out" >&2; fail "$*"; fi
  grep -v -E '^ ---> |^Removing intermediate|^Step [0-9]+/|legacy builder|BuildKit is|environment-variable|^ *$' "$work/out" || true
}
container() { # SERVICE: its container id
  local id
  id=$(dcd ps -q "$1")
  [ -n "$id" ] || fail "no container for service $1"
  printf '%s' "$id"
}
state() { # SERVICE: its health status, or its state when it has no healthcheck
  docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$(container "$1")"
}
wait_healthy() { # SECONDS SERVICE...
  local deadline=$((SECONDS + $1)) service
  shift
  for service in "$@"; do
    until [ "$(state "$service")" = healthy ]; do
      [ "$SECONDS" -lt "$deadline" ] || fail "$service is $(state "$service"), not healthy, after the time allowed"
      sleep 1
    done
    echo "$service: healthy"
  done
}
wait_worker_ready() { # SECONDS: the worker is running, has not restarted, and said it is ready
  local deadline=$((SECONDS + $1)) id
  id=$(container worker)
  until docker logs "$id" 2>&1 | grep -q "worker worker-1 ready"; do
    [ "$(docker inspect -f '{{.State.Status}}' "$id")" = running ] || fail "the worker is $(docker inspect -f '{{.State.Status}}' "$id")"
    [ "$SECONDS" -lt "$deadline" ] || fail "the worker did not report ready in time"
    sleep 1
  done
  [ "$(docker inspect -f '{{.RestartCount}}' "$id")" = 0 ] || fail "the worker restarted"
  echo "worker: running, ready ($(docker logs "$id" 2>&1 | grep -o 'worker worker-1 ready.*' | tail -n1))"
}
worker_uid() { # the uid the worker's processes run as, as the host sees them
  docker top "$(container worker)" -eo pid,uid,args | awk 'NR > 1 { print $2 }' | sort -u | tr '\n' ' '
}

# xvault in the running Hub container, with an admin token minted there (README, "Run it"); plain
# docker exec, as it starts in a fraction of docker-compose exec's time
token=""
hub_id=""
mint_token() {
  hub_id=$(container hub)
  token=$(docker exec "$hub_id" xvault token create --role admin --ttl 1h)
}
cli() { docker exec -e XVAULT_TOKEN="$token" "$hub_id" xvault "$@"; }
cli_stdin() { docker exec -i -e XVAULT_TOKEN="$token" "$hub_id" xvault "$@"; }
# the job as the API gives it, from the host through the published port (cheap enough to poll)
job() { curl -fsS -H "Authorization: Bearer $token" "$hub_url/v1/jobs/$1"; }
# find_on_volume ARGS...: find(1) on the worker's volume in a throwaway container (the worker may be stopped)
find_on_volume() {
  docker run --rm --entrypoint find -v "${project}_worker-backups:/v:ro" xvault:local /v "$@"
}

# ---- 1. up ----
say "clean start: no containers or volumes of project $project"
dcd down -v --remove-orphans >/dev/null 2>&1 || true

say "docker-compose up -d --build (${compose[*]} $("${compose[@]}" version --short 2>/dev/null || true))"
t=$SECONDS
quietly dc up -d --build
wait_healthy 180 postgres redis hub
wait_worker_ready 60
mark "up --build -> all healthy" "$t"
curl -fsS "$hub_url/readyz" >"$work/readyz" || fail "GET $hub_url/readyz from the host"
echo "GET $hub_url/readyz from the host: $(cat "$work/readyz")"
uid=$(worker_uid)
[ "$uid" = "10001 " ] || fail "the worker's processes run as uid(s) $uid, not 10001"
echo "worker processes run as uid $uid"

# ---- 2. demo ----
say "docker-compose --profile demo up -d --build: the demo backup inside containers"
t=$SECONDS
quietly dcd up -d --build
demo_code=$(timeout 300 docker wait "$(container demo)") || fail "the demo did not finish within 300 s"
dcd logs --no-color demo | sed 's/^/  | /'
[ "$demo_code" = 0 ] || fail "the demo exited with $demo_code"
mark "demo backup (sftp build + demo)" "$t"

mint_token
tenant_id=$(cli tenant list --json | jq -r '.[] | select(.name == "demo") | .id')
source_id=$(cli source list --tenant-id "$tenant_id" --json | jq -r '.[] | select(.name == "demo-sftp") | .id')
cli snapshot list --source-id "$source_id" --json >"$work/snapshots.json"
[ "$(jq '.snapshots | length' "$work/snapshots.json")" = 1 ] || fail "expected one demo snapshot: $(cat "$work/snapshots.json")"
snapshot_id=$(jq -r '.snapshots[0].id' "$work/snapshots.json")
locator=$(jq -r '.snapshots[0].locator' "$work/snapshots.json")
file_count=$(jq -r '.snapshots[0].fileCount' "$work/snapshots.json")
case "$locator" in *.enc) artifact="$locator" ;; *) artifact="$locator/backup.tar.zst.enc" ;; esac
echo "snapshot $snapshot_id of tenant $tenant_id: $artifact, $file_count files"

say "the artifact, copied off the worker's volume, opened on the host with age | zstd | tar"
t=$SECONDS
docker cp "$(container worker):/var/lib/xvault/backups/$artifact" "$work/backup.tar.zst.enc"
(umask 077 && cli tenant key export --tenant-id "$tenant_id" >"$work/demo.key")
grep -q '^AGE-SECRET-KEY-1' "$work/demo.key" || fail "tenant key export printed no age key"
mkdir -p "$work/restored"
age -d -i "$work/demo.key" "$work/backup.tar.zst.enc" | zstd -d | tar -x -C "$work/restored"
docker cp "$(container sftp):/srv/demo-data" "$work/expected"
diff -r --no-dereference "$work/expected" "$work/restored/srv/demo-data" || fail "the restored files differ from the demo data"
restored_files=$(find "$work/restored" -type f | wc -l)
[ "$restored_files" = "$file_count" ] || fail "restored $restored_files files, the snapshot says $file_count"
echo "restored $restored_files files + $(find "$work/restored" -type l | wc -l) symlink(s): identical to the sftp container's /srv/demo-data"
owner=$(docker run --rm --entrypoint stat -v "${project}_worker-backups:/v:ro" xvault:local -c '%u:%g %a' "/v/$artifact")
echo "on the volume: $artifact owned by $owner"
[ "${owner%% *}" = 10001:10001 ] || fail "the artifact belongs to $owner, not the worker's uid 10001"
mark "artifact restored and compared on the host" "$t"

# ---- 3. docker stop of a busy worker ----
say "docker stop of a worker in the middle of a ${big_mib} MiB backup"
t=$SECONDS
docker exec "$(container sftp)" sh -c "mkdir -p /srv/big && head -c $((big_mib * 1048576)) /dev/urandom >/srv/big/random.bin && chmod -R a+rX /srv/big"
big_source=$(printf '%s' demo-only-sftp-password | cli_stdin source create --tenant-id "$tenant_id" --name big \
  --host sftp --port 22 --username demo --password-stdin --path /srv/big --json | jq -r '.id')
big_job=$(cli backup enqueue --source-id "$big_source" --json | jq -r '.id')
big_snapshot=$(job "$big_job" | jq -r '.snapshotId')
worker_id=$(container worker)
# stop it as soon as its artifact is being written: a .partial file of more than 8 MiB
deadline=$((SECONDS + 180))
until partial=$(docker exec "$worker_id" find /var/lib/xvault/backups -name '*.partial' -size +8M) && [ -n "$partial" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "no .partial file of the big backup within 180 s: $(job "$big_job")"
  sleep 0.2
done
stop_started=$SECONDS
docker stop --time 30 "$worker_id" >/dev/null # the compose file's stop_grace_period
stop_seconds=$((SECONDS - stop_started))
echo "docker stop --time 30 of the worker while it wrote $partial:"
worker_exit=$(docker inspect -f '{{.State.ExitCode}}' "$worker_id")
echo "  exited $worker_exit after $stop_seconds s"
docker logs --tail 6 "$worker_id" 2>&1 | sed 's/^/  | /'
[ "$worker_exit" = 0 ] || fail "the worker exited with $worker_exit on SIGTERM (137: killed at the end of the grace period)"
left=$(find_on_volume \( -name '*.partial' -o -path "*/snapshots/$big_snapshot*" \) -print)
[ -z "$left" ] || fail "the stopped worker left on its volume: $left"
echo "on the volume: no .partial file, no directory of snapshot $big_snapshot"
job "$big_job" >"$work/big-job.json"
echo "job $big_job: $(jq -r '"\(.status), attempt \(.attempt)/\(.maxAttempts), error: \(.error)"' "$work/big-job.json")"
[ "$(jq -r .status "$work/big-job.json")" = queued ] || fail "after the stop the job is not queued for a retry"
[ "$(jq -r .error "$work/big-job.json")" != null ] || fail "the job carries no error saying why the attempt ended"
mark "busy worker stopped and checked" "$t"

say "the worker back: the retry of job $big_job succeeds"
t=$SECONDS
# What is tested here is that the retry runs and succeeds, not the time a large backup takes.
docker exec "$(container sftp)" truncate -s 16M /srv/big/random.bin
docker start "$worker_id" >/dev/null
deadline=$((SECONDS + 180))
until [ "$(job "$big_job" | jq -r .status)" = succeeded ]; do
  case "$(job "$big_job" | jq -r .status)" in failed|cancelled) fail "the retry failed: $(job "$big_job")" ;; esac
  [ "$SECONDS" -lt "$deadline" ] || fail "the retry did not succeed within 180 s: $(job "$big_job")"
  sleep 1
done
echo "job $big_job: succeeded on attempt $(job "$big_job" | jq -r .attempt)"
mark "retry after restart succeeded" "$t"

# ---- 4. persistence ----
say "docker-compose down (volumes kept) and up again"
t=$SECONDS
dcd down
dc up -d
wait_healthy 180 postgres redis hub
wait_worker_ready 60
mark "down + up -> all healthy" "$t"
mint_token
listed=$(cli snapshot list --source-id "$source_id" --json | jq -r '.snapshots[].id')
[ "$listed" = "$snapshot_id" ] || fail "after down/up the demo source lists: ${listed:-nothing}"
docker exec "$(container worker)" test -f "/var/lib/xvault/backups/$artifact" || fail "the artifact is gone from the volume after down/up"
big_listed=$(cli snapshot list --source-id "$big_source" --json | jq -r '.snapshots | length')
[ "$big_listed" = 1 ] || fail "after down/up the big source lists $big_listed snapshots"
echo "snapshot $snapshot_id still listed, its artifact still on the volume; the big source's snapshot too"
uid=$(worker_uid)
[ "$uid" = "10001 " ] || fail "after down/up the worker runs as uid(s) $uid, not 10001"
echo "worker processes run as uid $uid"
cli snapshot verify --snapshot-id "$snapshot_id" --wait >/dev/null || fail "xvault snapshot verify of $snapshot_id after down/up"
echo "xvault snapshot verify --snapshot-id $snapshot_id (on the worker that holds it): intact"

# ---- 5. node as PID 1 ----
say "docker run without --init: the worker is PID 1 and stops on SIGTERM"
t=$SECONDS
dc stop worker >/dev/null 2>&1
worker_token=$(sed -n 's/^WORKER_TOKEN=//p' "$env_file")
pid1=$(docker run -d --network "${project}_default" -v "${project}_worker-backups:/var/lib/xvault/backups" \
  -e WORKER_ID=worker-1 -e WORKER_TOKEN="$worker_token" -e HUB_BASE_URL=http://hub:8080 -e REDIS_URL=redis://redis:6379 \
  xvault:local worker run)
deadline=$((SECONDS + 60))
until docker logs "$pid1" 2>&1 | grep -q "worker worker-1 ready"; do
  [ "$(docker inspect -f '{{.State.Status}}' "$pid1")" = running ] || { docker logs "$pid1" >&2; fail "the plain docker run worker exited"; }
  [ "$SECONDS" -lt "$deadline" ] || { docker logs "$pid1" >&2; fail "the plain docker run worker was not ready in 60 s"; }
  sleep 1
done
echo "PID 1 in the container: $(docker exec "$pid1" cat /proc/1/cmdline | tr '\0' ' ')"
stop_started=$SECONDS
docker stop --time 10 "$pid1" >/dev/null
pid1_exit=$(docker inspect -f '{{.State.ExitCode}}' "$pid1")
pid1_seconds=$((SECONDS - stop_started))
docker rm "$pid1" >/dev/null
echo "docker stop: exited $pid1_exit after $pid1_seconds s"
[ "$pid1_exit" = 0 ] && [ "$pid1_seconds" -lt 10 ] || fail "node as PID 1 did not stop on SIGTERM (exit $pid1_exit after $pid1_seconds s)"
mark "worker as PID 1 stopped" "$t"

say "compose test passed in $((SECONDS - started)) s"
printf '  %s\n' "${timings[@]}"
