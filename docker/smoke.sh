#!/usr/bin/env bash
# Smoke test of the container image and the compose cluster, run for real by a Docker engine:
#
#   bash docker/smoke.sh
#
# 1. builds the image (docker/Dockerfile, BuildKit) as stompgate:local, the compose file's image;
# 2. starts docker/compose.yaml (project stompgate-smoke, so a demo you run as `-p stompgate`
#    is left alone) and waits until every service is healthy;
# 3. checks /actuator/health/readiness inside both gateway containers, and their user id;
# 4. through nginx (docker/smoke_stomp.py, Python's standard library only): opens STOMP
#    sessions until two land on different nodes (x-node), sends on one and receives on the
#    other, then `compose stop`s one node: its session gets ERROR "server shutting down",
#    the other node keeps working and new sessions land on it;
# 5. always `compose down -v` at the end, whatever happened.
# Every step is bounded in time; prints what it saw; exits non-zero on the first failure.
#
# Host ports default to 127.0.0.1:38080 (nginx), 127.0.0.1:35672 (AMQP) and 127.0.0.1:45672
# (management), clear of a local RabbitMQ; set STOMPGATE_HTTP_PORT, STOMPGATE_AMQP_PORT and
# STOMPGATE_MANAGEMENT_PORT to move them. DOCKER names the docker client (default `docker`; on
# Debian's docker.io 20.10 with a newer client earlier on the PATH, use /usr/bin/docker).
# COMPOSE overrides the compose command (default: `docker compose` when the client has it,
# else `docker-compose`, v1.29 or later). SMOKE_PROJECT names the compose project.
# The base images must be pullable or present (../shared/tools/offline-images.sh builds
# stand-ins where no registry is reachable).
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
elapsed() { echo "$(( $(date +%s) - started )) s"; }
say() { echo "smoke: $*"; }
fail() { echo "smoke: FAILED: $*" >&2; exit 1; }

DOCKER=${DOCKER:-docker}
PROJECT=${SMOKE_PROJECT:-stompgate-smoke}
export STOMPGATE_HTTP_PORT=${STOMPGATE_HTTP_PORT:-127.0.0.1:38080}
export STOMPGATE_AMQP_PORT=${STOMPGATE_AMQP_PORT:-127.0.0.1:35672}
export STOMPGATE_MANAGEMENT_PORT=${STOMPGATE_MANAGEMENT_PORT:-127.0.0.1:45672}
BUILD_TIMEOUT=${SMOKE_BUILD_TIMEOUT:-1200}
HEALTHY_TIMEOUT=${SMOKE_HEALTHY_TIMEOUT:-240}
GATEWAYS=(gateway-1 gateway-2)

case "$STOMPGATE_HTTP_PORT" in
  *:*) http_address=$STOMPGATE_HTTP_PORT ;;
  *)   http_address=127.0.0.1:$STOMPGATE_HTTP_PORT ;;
esac

command -v "$DOCKER" >/dev/null 2>&1 || fail "no docker client ($DOCKER)"
timeout 30 "$DOCKER" info >/dev/null 2>&1 || fail "no Docker engine answers '$DOCKER info'"
if [ -n "${COMPOSE:-}" ]; then
  read -r -a compose <<<"$COMPOSE"
elif timeout 30 "$DOCKER" compose version >/dev/null 2>&1; then
  compose=("$DOCKER" compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  fail "neither '$DOCKER compose' nor docker-compose is installed"
fi
say "compose: ${compose[*]} ($(timeout 30 "${compose[@]}" version 2>/dev/null | head -1))"
compose+=(-p "$PROJECT" -f docker/compose.yaml)

python=$(command -v python3 || true)
if [ -z "$python" ] && command -v apt-get >/dev/null 2>&1; then
  say "installing python3 for the STOMP client"
  { apt-get -o DPkg::Lock::Timeout=300 update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq python3-minimal; } >/dev/null \
    || fail "python3 is missing and apt-get could not install it"
  python=$(command -v python3 || true)
fi
[ -n "$python" ] || fail "the STOMP client needs python3 (3.8+)"

logdir=$(mktemp -d)
up_done=0
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ "$up_done" = 1 ]; then
    if [ "$status" != 0 ]; then
      say "state at the failure:"
      timeout 60 "${compose[@]}" ps || true
      for service in rabbitmq "${GATEWAYS[@]}" lb; do
        echo "--- last log lines of $service ---"
        timeout 60 "${compose[@]}" logs --no-color --tail=25 "$service" 2>&1 || true
      done
    fi
    say "compose down -v"
    timeout 180 "${compose[@]}" down -v --remove-orphans >"$logdir/down.log" 2>&1 \
      || { cat "$logdir/down.log"; say "WARNING: compose down -v failed"; status=1; }
  fi
  rm -rf "$logdir"
  if [ "$status" = 0 ]; then say "PASSED in $(elapsed)"; else say "FAILED after $(elapsed)"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. image ---
say "building stompgate:local (docker/Dockerfile, BuildKit)"
build_started=$(date +%s)
if ! DOCKER_BUILDKIT=1 timeout "$BUILD_TIMEOUT" "$DOCKER" build --progress=plain -f docker/Dockerfile \
      -t stompgate:local . >"$logdir/build.log" 2>&1; then
  tail -n 40 "$logdir/build.log" >&2
  fail "docker build failed (or took over $BUILD_TIMEOUT s)"
fi
say "image built in $(( $(date +%s) - build_started )) s: $("$DOCKER" image inspect -f '{{.Id}} {{.Size}} bytes, user {{.Config.User}}' stompgate:local)"

# --- 2. cluster ---
# Leftovers of an earlier run that was killed before its own `down -v` would be reused.
timeout 180 "${compose[@]}" down -v --remove-orphans >"$logdir/predown.log" 2>&1 \
  || { cat "$logdir/predown.log" >&2; fail "compose down -v of an earlier run failed"; }
say "compose up -d (host ports: http $STOMPGATE_HTTP_PORT, amqp $STOMPGATE_AMQP_PORT, management $STOMPGATE_MANAGEMENT_PORT)"
up_done=1
up_started=$(date +%s)
timeout 600 "${compose[@]}" up -d --no-build >"$logdir/up.log" 2>&1 \
  || { cat "$logdir/up.log" >&2; fail "compose up -d failed"; }

container() { timeout 30 "${compose[@]}" ps -q "$1" 2>/dev/null | head -1; }
health() {
  local id; id=$(container "$1")
  [ -n "$id" ] || { echo missing; return; }
  "$DOCKER" inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id" 2>/dev/null || echo missing
}
mapfile -t services < <(timeout 60 "${compose[@]}" config --services)
[ "${#services[@]}" -ge 4 ] || fail "compose config lists ${#services[@]} services: ${services[*]}"
deadline=$(( $(date +%s) + HEALTHY_TIMEOUT ))
while :; do
  states=(); unhealthy=0
  for service in "${services[@]}"; do
    state=$(health "$service"); states+=("$service=$state")
    [ "$state" = healthy ] || unhealthy=1
  done
  [ "$unhealthy" = 0 ] && break
  [ "$(date +%s)" -lt "$deadline" ] || fail "not every service healthy within $HEALTHY_TIMEOUT s: ${states[*]}"
  sleep 3
done
say "every service healthy $(( $(date +%s) - up_started )) s after up: ${states[*]}"

# --- 3. the nodes themselves ---
image_uid=$("$DOCKER" image inspect -f '{{.Config.User}}' stompgate:local | cut -d: -f1)
for gateway in "${GATEWAYS[@]}"; do
  id=$(container "$gateway")
  # HTTP over bash's /dev/tcp inside the container, on its own loopback (the image has no curl).
  answer=$(timeout 20 "$DOCKER" exec "$id" bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080
      printf "GET /actuator/health/readiness HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3; cat <&3' | tr -d '\r') \
    || fail "$gateway: could not ask /actuator/health/readiness"
  status=$(head -1 <<<"$answer"); body=$(tail -1 <<<"$answer")
  say "$gateway /actuator/health/readiness: $status $body"
  case "$status" in "HTTP/1."?" 200"*) ;; *) fail "$gateway is not ready: $status" ;; esac
  grep -q '"status":"UP"' <<<"$body" || fail "$gateway readiness body is not UP: $body"
  uid=$(timeout 20 "$DOCKER" exec "$id" id -u) || fail "$gateway: id -u failed"
  say "$gateway runs as uid $uid"
  [ "$uid" != 0 ] && [ "$uid" = "$image_uid" ] || fail "$gateway runs as uid $uid, the image's USER is $image_uid"
done

# --- 4. STOMP through nginx, and a drain ---
say "STOMP through nginx at ws://$http_address/ws"
timeout 300 "$python" docker/smoke_stomp.py --url "ws://$http_address/ws" -- "${compose[@]}" stop \
  || fail "STOMP checks (docker/smoke_stomp.py) failed"
