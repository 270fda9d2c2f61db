#!/bin/sh
# Demo SFTP server: a host key kept on its volume, the login from DEMO_SFTP_USER/DEMO_SFTP_PASSWORD.
set -eu
: "${DEMO_SFTP_USER:?}" "${DEMO_SFTP_PASSWORD:?}"
key=/etc/ssh/keys/ssh_host_ed25519_key
[ -f "$key" ] || ssh-keygen -q -t ed25519 -N '' -C xvault-demo-sftp -f "$key"
id -u "$DEMO_SFTP_USER" >/dev/null 2>&1 \
  || useradd --home-dir /srv/demo-data --no-create-home --shell /bin/sh "$DEMO_SFTP_USER"
printf '%s:%s\n' "$DEMO_SFTP_USER" "$DEMO_SFTP_PASSWORD" | chpasswd
echo "demo sftp: $DEMO_SFTP_USER@sftp:22, host key $(ssh-keygen -lf "$key.pub" | cut -d' ' -f2)"
exec /usr/sbin/sshd -D -e
