#!/usr/bin/env bash
# Installs what `npm run bench` runs besides Node: Prometheus (the scraper it is compared with), nginx
# (the static file server) and wrk (the load generator), from Debian's packages. Does nothing when all
# three are present; needs root (or prints the command to run).
set -euo pipefail

missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "bench/setup.sh: missing ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The nginx package starts a system-wide server on port 80; the benchmark runs its own.
if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
  systemctl stop nginx || true
fi
