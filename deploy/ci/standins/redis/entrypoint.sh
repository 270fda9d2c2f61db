#!/bin/sh
# As the official image's entrypoint: redis-server without a config file listens on every
# interface without protected mode (the network is the container's), and runs as redis.
set -eu
if [ "${1:-}" = redis-server ]; then
  shift
  set -- redis-server --bind '* -::*' --protected-mode no "$@"
  if [ "$(id -u)" = 0 ]; then
    chown -R redis:redis /data
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
fi
exec "$@"
