#!/bin/sh
# System packages the test suite needs, from Debian: redis-server, which the BullMQ job tests start
# on a free loopback port (the service itself needs Redis only when REDIS_URL is set).
# Does nothing when they are already installed; uses sudo when not run as root.
set -eu
command -v redis-server >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -eq 0 ]; then as_root=""; else as_root="sudo"; fi
$as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends redis-server >/dev/null
# The Debian package starts a system Redis on port 6379; the tests never use it.
echo "installed redis-server: $(redis-server --version)"
