#!/usr/bin/env bash
# Container health check for stompgate, with nothing but bash: an HTTP/1.0 GET over
# bash's /dev/tcp, so the runtime image needs neither curl nor wget.
#
#   stompgate-healthcheck [PATH]     PATH defaults to /actuator/health/readiness
#
# Connects to 127.0.0.1:${SERVER_PORT:-8080}. Exit 0 when the answer is 200, 1 otherwise
# (the status line is printed, so `docker inspect` shows why).
set -u
path="${1:-/actuator/health/readiness}"
port="${SERVER_PORT:-8080}"

if ! exec 3<>"/dev/tcp/127.0.0.1/${port}"; then
  echo "nothing listens on 127.0.0.1:${port}"
  exit 1
fi
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nAccept: application/json\r\n\r\n' "$path" >&3
if ! IFS= read -r -t 5 status <&3; then
  echo "no answer from 127.0.0.1:${port}${path}"
  exit 1
fi
exec 3<&-
status="${status%$'\r'}"
case "$status" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *) echo "${path}: ${status}"; exit 1 ;;
esac
