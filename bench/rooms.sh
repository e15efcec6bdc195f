#!/usr/bin/env bash
# Many rooms (issue 17, section 3): many small topics instead of one big one. --rooms rooms of
# --room-size members over the nodes, each connection a member of --rooms-per-connection rooms
# (defaults: 10,000 rooms x 10 = 100,000 subscriptions on 2,000 connections; a room's members
# alternate over the two nodes, so each stompgate node binds every room). The load tool's `rooms`
# scenario opens the connections, sends every SUBSCRIBE (receipt each; at most --subscribe-window in
# flight) and reports the subscribe rate, SUBSCRIBE->RECEIPT p50/p99 and the servers' and RabbitMQ's
# CPU over that phase; then members send to their own rooms at --rate msg/s in total, round robin over
# the rooms (every room busy), and it reports delivered msg/s, loss, latency and server CPU per
# million delivered.
#
# Systems, started fresh in every round, interleaved, the order rotating from round to round:
#   stompgate      2 nodes, rabbitmq mode (target/stompgate-0.1.0-SNAPSHOT.jar)
#   stompgate-base the same with another jar (--base-jar; e.g. before a change), left out without it
#   spring-relay   2 nodes of bench/spring-relay (one broker connection per client)
#   web-stomp      RabbitMQ Web-STOMP at ws://127.0.0.1:15674/ws (one queue per subscription)
# Then medians over the rounds (loadtool summarize). Between runs the script waits (bounded) until
# RabbitMQ has deleted the queues of the previous run (the peers' 100,000 subscription queues).
#
# usage: bench/rooms.sh [--quick] [--rounds N] [--configs "stompgate spring-relay web-stomp"]
#                       [--rooms N] [--room-size M] [--rooms-per-connection K] [--rate R]
#                       [--subscribe-window W] [--setup-timeout S] [--base-jar JAR] [--gateway-args "..."] [--out DIR] [--max-minutes M]
#   --quick: 1,000 rooms x 10 (200 connections), 2 s warm-up, 5 s measured.
# Needs: target/stompgate-0.1.0-SNAPSHOT.jar (mvn -q -o package -DskipTests), bench/*/target/*.jar
#        (mvn -q -f bench/pom.xml package), RabbitMQ on 127.0.0.1 (5672 guest/guest, management on
#        15672, rabbitmq_stomp and rabbitmq_web_stomp enabled). Traffic goes to 127.0.0.1 only.
#        Every step is bounded (--max-minutes, default 40; each tool run --max-time); Ctrl-C or any
#        failure stops every process the script started, by pid.
# environment: BENCH_JVM_OPTS (servers, default -Xmx1g), BENCH_TOOL_OPTS, BENCH_GATEWAY_ARGS
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

interleaved_defaults
CONFIGS="stompgate spring-relay web-stomp"
ROOMS=10000
ROOM_SIZE=10
PER_CONN=50
RATE=1000
SUB_WINDOW=1000
SETUP_TIMEOUT=400         # s, opening and (separately) subscribing; the peers subscribe ~300-600/s
WARMUP=5
DURATION=15
BASE_JAR=""
EXTRA_GW_ARGS=""
PORT_RELAY1=18091; PORT_RELAY2=18092
WEBSTOMP_URL="ws://127.0.0.1:15674/ws"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) ROOMS=1000; WARMUP=2; DURATION=5 ;;
    --rooms) ROOMS="$2"; shift ;;
    --room-size) ROOM_SIZE="$2"; shift ;;
    --rooms-per-connection) PER_CONN="$2"; shift ;;
    --rate) RATE="$2"; shift ;;
    --subscribe-window) SUB_WINDOW="$2"; shift ;;
    --setup-timeout) SETUP_TIMEOUT="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --base-jar) BASE_JAR="$2"; shift ;;
    --gateway-args) EXTRA_GW_ARGS="$2"; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) interleaved_option "$@" || { echo "unknown option $1" >&2; exit 2; }; shift ;;
  esac
  shift
done
(( ROUNDS >= 1 && ROUNDS <= 10 )) || { echo "--rounds must be 1..10" >&2; exit 2; }
if [[ -z "$BASE_JAR" ]]; then CONFIGS="$(echo " $CONFIGS " | sed 's/ stompgate-base / /; s/^ *//; s/ *$//')"; fi

init_run_dir "$HERE/results/rooms-$(date +%Y%m%d-%H%M%S)"
RELAY_JAR="$HERE/spring-relay/target/spring-relay.jar"
for j in "$GW_JAR" "$TOOL_JAR" "$RELAY_JAR" ${BASE_JAR:+"$BASE_JAR"}; do
  [[ -f "$j" ]] || { echo "missing $j (see the usage: bench/rooms.sh --help)" >&2; exit 1; }
done
CONNS=$(( ROOMS * ROOM_SIZE / PER_CONN ))

LOG_FILE="$OUT/run.log"
trap_cleanup stop_all

# ---------------------------------------------------------------- machine
require_rabbitmq_listener
soft=$(awk '/Max open files/ {print $4}' "/proc/$BEAM/limits")
{
  describe_machine
  describe_rabbitmq_listener
  echo "rabbitmq open-files limit: $soft"
  echo "configs: $CONFIGS; rounds=$ROUNDS rooms=$ROOMS room_size=$ROOM_SIZE rooms_per_connection=$PER_CONN connections=$CONNS subscribe_window=$SUB_WINDOW rate=$RATE warmup=$WARMUP duration=$DURATION"
  echo "gateway jar: $GW_JAR ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null)); base jar: ${BASE_JAR:-none}"
  echo "server JVM options: $JVM_OPTS; tool JVM options: $TOOL_OPTS; gateway args: $GATEWAY_ARGS $EXTRA_GW_ARGS"
  echo "load before start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt" >&2
if [[ "$soft" != "unlimited" && "$soft" -lt $(( CONNS + 300 )) ]]; then
  log "WARNING: RabbitMQ may open only $soft files; the relay and Web-STOMP need ~$(( CONNS + 300 ))"
fi

start_load_sampler

# RabbitMQ's queue count (management API), or empty if it does not answer
queue_count() {
  curl -s -m 5 -u guest:guest "http://127.0.0.1:15672/api/overview?columns=object_totals.queues" 2>/dev/null \
    | grep -o '"queues":[0-9]*' | cut -d: -f2 || true
}
BASE_QUEUES="$(queue_count)"
# waits (at most 120 s) until the queue count is back near where it was at the start
wait_queues_gone() {
  [[ -n "$BASE_QUEUES" ]] || return 0
  local n
  for _ in $(seq 1 120); do
    n="$(queue_count)"
    [[ -z "$n" || "$n" -le $(( BASE_QUEUES + 50 )) ]] && return 0
    sleep 1
  done
  log "  RabbitMQ still holds $n queues (started with $BASE_QUEUES)"
}
on_stop_started() { wait_queues_gone; }

# ---------------------------------------------------------------- systems
SERVER_PIDS=""; URLS=""; IDENTITY=()
start_config() { # config round
  local cfg="$1" round="$2" p
  IDENTITY=(--identity query)
  case "$cfg" in
    stompgate|stompgate-base)
      local jar="$GW_JAR"; [[ "$cfg" == stompgate-base ]] && jar="$BASE_JAR"
      start_gateway_nodes "$cfg" "$round" "$jar" rabbitmq bench-rooms "$EXTRA_GW_ARGS" $PORT_GW1 $PORT_GW2 || return 1
      SERVER_PIDS+="$BEAM" ;;
    spring-relay)
      SERVER_PIDS=""
      for p in $PORT_RELAY1 $PORT_RELAY2; do
        port_free "$p" || { log "port $p is in use by another process"; return 1; }
      done
      for p in $PORT_RELAY1 $PORT_RELAY2; do
        # shellcheck disable=SC2086
        java $JVM_OPTS -jar "$RELAY_JAR" --server.port=$p >"$OUT/$cfg-$p-r$round.log" 2>&1 &
        STARTED+=($!); SERVER_PIDS+="$!,"
      done
      wait_http "http://127.0.0.1:$PORT_RELAY1/ws" 90 && wait_http "http://127.0.0.1:$PORT_RELAY2/ws" 90 \
        || { log "spring-relay did not start"; return 1; }
      sleep 2 # the relay's system session to the broker
      URLS="ws://127.0.0.1:$PORT_RELAY1/ws,ws://127.0.0.1:$PORT_RELAY2/ws"
      SERVER_PIDS+="$BEAM" ;;
    web-stomp)
      URLS="$WEBSTOMP_URL"; IDENTITY=(--identity none --login guest --passcode guest)
      SERVER_PIDS="$BEAM" ;;
    *) log "unknown configuration $cfg"; return 1 ;;
  esac
}

# result fields each run logs (measured_tool, lib.sh)
TOOL_FIELDS="subscriptions_ok subscribe_per_s subscribe_p50_ms subscribe_p99_ms subscribe_server_cpu_s delivered_per_s lost p50_ms p99_ms server_cpu_s_per_million_delivered server_cores tool_cores errors"

run_config() { # config round
  local cfg="$1" round="$2"
  measured_tool "$cfg" rooms --url "$URLS" "${IDENTITY[@]}" --rooms "$ROOMS" --room-size "$ROOM_SIZE" \
    --rooms-per-connection "$PER_CONN" --subscribe-window "$SUB_WINDOW" --rate "$RATE" --warmup "$WARMUP" \
    --duration "$DURATION" --room-prefix "/topic/bench.rooms.r$round." --user-prefix "r$round-u" \
    --server-pid "$SERVER_PIDS" --setup-timeout "$SETUP_TIMEOUT" --max-time $(( 2 * SETUP_TIMEOUT + WARMUP + DURATION + 60 ))
}

run_rotating_rounds
finish_load_report
log "results: $RESULTS"
java -jar "$TOOL_JAR" summarize "$RESULTS" --ours stompgate | tee "$OUT/summary.txt"
