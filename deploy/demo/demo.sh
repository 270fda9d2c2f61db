#!/bin/sh
# The demo profile's one-shot (service "demo" in deploy/docker-compose.yml): what an operator
# types to back up a server, run against the demo SFTP container. Run it again and it reuses the
# tenant and source it created and takes one more snapshot.
#
# Needs: xvault and node on PATH, HUB_BASE_URL, HUB_JWT_SECRET (to mint its own admin token) and
# DEMO_TENANT, DEMO_SOURCE, DEMO_SFTP_HOST, DEMO_SFTP_PORT, DEMO_SFTP_USER, DEMO_SFTP_PASSWORD,
# DEMO_SOURCE_PATH. test/deploy/ComposeSmoke.test.ts runs it against a local Hub and sshd.
set -eu

: "${HUB_BASE_URL:?}" "${HUB_JWT_SECRET:?}" "${DEMO_TENANT:?}" "${DEMO_SOURCE:?}" "${DEMO_SFTP_HOST:?}"
: "${DEMO_SFTP_PORT:?}" "${DEMO_SFTP_USER:?}" "${DEMO_SFTP_PASSWORD:?}" "${DEMO_SOURCE_PATH:?}"

step() { printf '\n== %s\n' "$*"; }

# json EXPR [ARG]: evaluates the JavaScript expression EXPR on the JSON read from stdin (as v, with
# ARG as arg) and prints the result, or nothing when it is undefined.
json() {
  node -e '
    const [expr, arg] = process.argv.slice(1)
    let text = ""
    process.stdin.setEncoding("utf8").on("data", (d) => (text += d)).on("end", () => {
      const result = new Function("v", "arg", `return (${expr})`)(JSON.parse(text), arg)
      if (result !== undefined && result !== null) console.log(result)
    })' "$@"
}

step "admin token: xvault token create --role admin (signed locally with HUB_JWT_SECRET)"
XVAULT_TOKEN=$(xvault token create --role admin --ttl 1h)
export XVAULT_TOKEN

step "tenant '$DEMO_TENANT'"
tenants=$(xvault tenant list --json)
tenant_id=$(printf '%s' "$tenants" | json 'v.find((t) => t.name === arg)?.id' "$DEMO_TENANT")
if [ -z "$tenant_id" ]; then
  tenant_id=$(xvault tenant create --name "$DEMO_TENANT" --json | json 'v.id')
  echo "created tenant $tenant_id"
else
  echo "reusing tenant $tenant_id"
fi

step "source '$DEMO_SOURCE': $DEMO_SFTP_USER@$DEMO_SFTP_HOST:$DEMO_SFTP_PORT $DEMO_SOURCE_PATH"
sources=$(xvault source list --tenant-id "$tenant_id" --json)
source_id=$(printf '%s' "$sources" | json 'v.find((s) => s.name === arg)?.id' "$DEMO_SOURCE")
if [ -z "$source_id" ]; then
  # the password goes in on stdin and is sealed by the Hub; the host key is recorded on first use
  created=$(printf '%s' "$DEMO_SFTP_PASSWORD" | xvault source create --tenant-id "$tenant_id" \
    --name "$DEMO_SOURCE" --host "$DEMO_SFTP_HOST" --port "$DEMO_SFTP_PORT" \
    --username "$DEMO_SFTP_USER" --password-stdin --path "$DEMO_SOURCE_PATH" --json)
  source_id=$(printf '%s' "$created" | json 'v.id')
  echo "created source $source_id"
else
  echo "reusing source $source_id"
fi

step "backup: xvault backup enqueue --source-id $source_id --wait"
xvault backup enqueue --source-id "$source_id" --tag demo --wait

step "snapshots of source $source_id"
xvault snapshot list --source-id "$source_id"

cat <<DONE

Done. The encrypted artifact is on the worker's volume, under
  tenants/$tenant_id/sources/$source_id/snapshots/<snapshot id>/backup.tar.zst.enc
and restores without xVault (docs/artifact-format.md): export the tenant key with
  xvault tenant key export --tenant-id $tenant_id > demo.key
then: age -d -i demo.key backup.tar.zst.enc | zstd -d | tar x
DONE
