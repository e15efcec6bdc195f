#!/usr/bin/env bash
# Side-by-side comparison: stompgate (2 nodes, rabbitmq mode) vs Spring's STOMP broker relay
# (2 nodes) vs RabbitMQ Web-STOMP vs a bare Reactor Netty broadcast server (the ceiling).
#
# Systems run one at a time and interleaved (A B C D, A B C D, ...; --rounds, default 3). Each
# system is started fresh in every round and measured in this order: connections (on the fresh
# processes, for RSS per connection), fanout, latency, user destinations. Then medians over the
# rounds and the ratio of stompgate to each peer are printed (loadtool summarize).
#
# Needs: Java 17, Maven, RabbitMQ on 127.0.0.1 (5672, guest/guest) with rabbitmqctl and
# rabbitmq-plugins on PATH. Enables rabbitmq_stomp and rabbitmq_web_stomp. Only loopback traffic.
#
# Time: every step is bounded; defaults take about 30 minutes on a 2-core machine (3 rounds x 4
# systems x ~2-2.5 min, then stompgate once at 20,000 connections over 2 nodes and once at 19,000 on
# one node); --quick (200 subscribers, 500 connections, 4 s windows, no 20k/19k runs) takes about
# 10 minutes. --max-minutes (default 45) stops it regardless.
# Ctrl-C stops everything this script started.
#
# usage: bench/compare.sh [--quick] [--rounds N] [--systems "stompgate spring-relay web-stomp bare-ws"]
#                         [--out DIR] [--skip-build] [--restart-rabbitmq] [--no-capacity] [--max-minutes M]
#                         [--paces "receipt echo"] [--subscribers N] [--connections N]
#                         [--scenarios "connections fanout latency user"] [--fanout-fork K]
# systems: stompgate (2 nodes, rabbitmq mode), stompgate-local (1 node, local mode: what is the gateway's
#          own against the ceiling, which is one process too), spring-relay, web-stomp, bare-ws
# environment: BENCH_JVM_OPTS (servers, default -Xmx1g), BENCH_TOOL_OPTS, BENCH_GATEWAY_ARGS
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

# ---------------------------------------------------------------- defaults
ROUNDS=3
SYSTEMS="stompgate spring-relay web-stomp bare-ws"
QUICK=0
SKIP_BUILD=0
RESTART_RABBIT=0
CAPACITY=1
MAX_MINUTES=45
OUT=""
SUBSCRIBERS=1000          # fanout subscribers (over 2 nodes where the system has 2)
BODY=100                  # bytes
WINDOW=200                # publisher's SENDs awaiting a RECEIPT
WARMUP=5
DURATION=10
RATE=1000                 # latency and user scenarios, msg/s
USERS=1000
CONN_N=5000               # connections measured on every system (the comparable point)
CONN_BIG=20000            # stompgate only: 20,000 over its 2 nodes (target: <= 10 KB each)
CAPACITY_N=19000          # stompgate only, once: one node holding this many (20,000-file limit)
HOLD=10
SCENARIOS="connections fanout latency user"   # which of the four scenarios each system runs
FANOUT_FORK=0             # tool processes for the fanout's subscribers; 0: one per 5,000 subscribers
PACES="receipt echo"      # fanout publisher pacing, one run each: receipt (a SEND leaves the window at its
                          # RECEIPT: what the server accepts) and echo (when the publisher, subscribed
                          # too, gets it back: what the server delivers). See docs/performance.md.
WARM_CONN=0               # connections opened and closed before the 'before' memory sample: none, so
                          # RSS per connection is what an operator sees from the idle started
                          # process (until #17: 500, which let their garbage commit the heap first)
JVM_OPTS="${BENCH_JVM_OPTS:--Xmx1g}"      # the same for every JVM server
TOOL_OPTS="${BENCH_TOOL_OPTS:--Xmx1g -XX:+UseParallelGC}"
# extra arguments for stompgate nodes; a short drain period only makes stopping them quicker
GATEWAY_ARGS="${BENCH_GATEWAY_ARGS:---gateway.drain.period=2s}"
PORT_GW1=18081; PORT_GW2=18082; PORT_RELAY1=18091; PORT_RELAY2=18092; PORT_BARE=18099
WEBSTOMP_URL="ws://127.0.0.1:15674/ws"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --rounds) ROUNDS="$2"; shift ;;
    --systems) SYSTEMS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --skip-build) SKIP_BUILD=1 ;;
    --restart-rabbitmq) RESTART_RABBIT=1 ;;
    --no-capacity) CAPACITY=0 ;;
    --max-minutes) MAX_MINUTES="$2"; shift ;;
    --paces) PACES="$2"; shift ;;
    --scenarios) SCENARIOS="$2"; shift ;;
    --fanout-fork) FANOUT_FORK="$2"; shift ;;
    --subscribers) SUBSCRIBERS="$2"; shift ;;
    --connections) CONN_N="$2"; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

if [[ $QUICK == 1 ]]; then
  SUBSCRIBERS=200; WARMUP=2; DURATION=4; USERS=100; CONN_N=500; CONN_BIG=0; CAPACITY=0; HOLD=3
fi
(( ROUNDS >= 1 && ROUNDS <= 10 )) || { echo "--rounds must be 1..10" >&2; exit 2; }

STAMP="$(date +%Y%m%d-%H%M%S)"
init_run_dir "$HERE/results/$STAMP"
RELAY_JAR="$HERE/spring-relay/target/spring-relay.jar"
BARE_JAR="$HERE/bare-ws/target/bare-ws.jar"

LOG_FILE="$OUT/compare.log"
trap_cleanup stop_started

# ---------------------------------------------------------------- prerequisites
require_rabbitmq
beam_pid() { pgrep -u rabbitmq -x beam.smp 2>/dev/null | head -1 || pgrep -x beam.smp | head -1; }
BEAM="$(beam_pid)"
[[ -n "$BEAM" ]] || { echo "cannot find RabbitMQ's beam.smp process" >&2; exit 1; }

if [[ " $SYSTEMS " == *" web-stomp "* || " $SYSTEMS " == *" spring-relay "* ]]; then
  log "enabling rabbitmq_stomp and rabbitmq_web_stomp"
  rabbitmq-plugins enable rabbitmq_stomp rabbitmq_web_stomp >/dev/null
  for _ in $(seq 1 30); do
    (exec 3<>/dev/tcp/127.0.0.1/15674) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/61613) 2>/dev/null && break
    sleep 1
  done
fi

# RabbitMQ holds one socket per Web-STOMP client and per relay client: its open-files soft limit
# must cover the largest run. A broker started by a service manager often has 1024.
need=$(( (CONN_N > SUBSCRIBERS ? CONN_N : SUBSCRIBERS) + 300 ))
soft=$(awk '/Max open files/ {print $4}' "/proc/$BEAM/limits")
if [[ "$soft" != "unlimited" && "$soft" -lt "$need" ]]; then
  if [[ $RESTART_RABBIT == 1 ]]; then
    log "RabbitMQ's open-files limit is $soft (< $need): restarting it with ulimit -n 20000"
    rabbitmqctl -q stop || true
    if id rabbitmq >/dev/null 2>&1 && [[ $(id -u) == 0 && -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
      su rabbitmq -s /bin/sh -c "ulimit -n 20000; cd /var/lib/rabbitmq; /usr/lib/rabbitmq/bin/rabbitmq-server -detached"
    else
      (ulimit -n 20000; rabbitmq-server -detached)
    fi
    rabbitmqctl -q await_startup
    BEAM="$(beam_pid)"
    soft=$(awk '/Max open files/ {print $4}' "/proc/$BEAM/limits")
    log "RabbitMQ restarted: pid $BEAM, open-files limit $soft"
  else
    log "WARNING: RabbitMQ (pid $BEAM) may open only $soft files; Web-STOMP and the relay need ~$need for this run."
    log "WARNING: their larger runs will fail. On a quiet machine re-run with --restart-rabbitmq (restarts RabbitMQ with ulimit -n 20000)."
  fi
fi
# RabbitMQ also counts sockets itself (file_handle_cache): lift that to the OS limit.
rabbitmqctl -q eval "file_handle_cache:set_limit($(( ${soft/unlimited/20000} > 20000 ? 20000 : ${soft/unlimited/20000} )))." >/dev/null 2>&1 || true

# ---------------------------------------------------------------- build
if [[ $SKIP_BUILD == 0 ]]; then
  log "building the gateway and bench/"
  (cd "$ROOT" && mvn -q -B package -DskipTests) >"$OUT/build.log" 2>&1
  (cd "$ROOT" && mvn -q -B -f bench/pom.xml package -DskipTests) >>"$OUT/build.log" 2>&1
fi
for j in "$GW_JAR" "$TOOL_JAR" "$RELAY_JAR" "$BARE_JAR"; do
  [[ -f "$j" ]] || { echo "missing $j (build failed? see $OUT/build.log)" >&2; exit 1; }
done

{
  describe_machine
  echo "rabbitmq: $(rabbitmqctl -q version 2>/dev/null)"
  echo "load before start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "rounds=$ROUNDS subscribers=$SUBSCRIBERS body=$BODY window=$WINDOW paces=$PACES warmup=$WARMUP duration=$DURATION rate=$RATE users=$USERS connections=$CONN_N big=$CONN_BIG hold=$HOLD"
  echo "server JVM options: $JVM_OPTS; tool JVM options: $TOOL_OPTS"
} | tee "$OUT/machine.txt" >&2

# ---------------------------------------------------------------- systems
SERVER_PIDS=""; URLS=""; URL_A=""; IDENTITY=(); USER_OK=0; RAW=()

start_system() {
  local sys="$1" round="$2" p
  SERVER_PIDS=""; URLS=""; IDENTITY=(--identity query); USER_OK=0; RAW=()
  for p in $(case "$sys" in stompgate) echo $PORT_GW1 $PORT_GW2 ;; stompgate-local) echo $PORT_GW1 ;; spring-relay) echo $PORT_RELAY1 $PORT_RELAY2 ;;
             bare-ws) echo $PORT_BARE ;; esac); do
    port_free "$p" || { log "port $p is in use by another process: cannot start $sys"; return 1; }
  done
  case "$sys" in
    stompgate)
      for p in $PORT_GW1 $PORT_GW2; do
        # shellcheck disable=SC2086
        java $JVM_OPTS -jar "$GW_JAR" --gateway.broker=rabbitmq --server.port=$p \
          --gateway.node-id="bench-$p" $GATEWAY_ARGS >"$OUT/stompgate-$p-r$round.log" 2>&1 &
        STARTED+=($!); SERVER_PIDS+="$!,"
      done
      wait_ready $PORT_GW1 60 && wait_ready $PORT_GW2 60 || { log "stompgate did not become ready"; return 1; }
      URLS="ws://127.0.0.1:$PORT_GW1/ws,ws://127.0.0.1:$PORT_GW2/ws"; USER_OK=1
      SERVER_PIDS+="$BEAM" ;;
    stompgate-local)
      # shellcheck disable=SC2086
      java $JVM_OPTS -jar "$GW_JAR" --gateway.broker=local --server.port=$PORT_GW1 \
        --gateway.node-id="bench-local" $GATEWAY_ARGS >"$OUT/stompgate-local-r$round.log" 2>&1 &
      STARTED+=($!); SERVER_PIDS="$!"
      wait_ready $PORT_GW1 60 || { log "stompgate-local did not become ready"; return 1; }
      URLS="ws://127.0.0.1:$PORT_GW1/ws"; USER_OK=1 ;;
    spring-relay)
      for p in $PORT_RELAY1 $PORT_RELAY2; do
        # shellcheck disable=SC2086
        java $JVM_OPTS -jar "$RELAY_JAR" --server.port=$p >"$OUT/spring-relay-$p-r$round.log" 2>&1 &
        STARTED+=($!); SERVER_PIDS+="$!,"
      done
      wait_http "http://127.0.0.1:$PORT_RELAY1/ws" 90 && wait_http "http://127.0.0.1:$PORT_RELAY2/ws" 90 \
        || { log "spring-relay did not start"; return 1; }
      sleep 2 # the relay's system session to the broker
      URLS="ws://127.0.0.1:$PORT_RELAY1/ws,ws://127.0.0.1:$PORT_RELAY2/ws"; USER_OK=1
      SERVER_PIDS+="$BEAM" ;;
    web-stomp)
      # Web-STOMP: CONNECT login guest/guest; heart-beats 0,0 (the tool asks for none) and no
      # permessage-deflate (the tool does not offer it), as in the baselines.
      URLS="$WEBSTOMP_URL"; IDENTITY=(--identity none --login guest --passcode guest)
      SERVER_PIDS="$BEAM" ;;
    bare-ws)
      # shellcheck disable=SC2086
      java $JVM_OPTS -jar "$BARE_JAR" --port $PORT_BARE >"$OUT/bare-ws-r$round.log" 2>&1 &
      STARTED+=($!); SERVER_PIDS="$!"
      wait_http "http://127.0.0.1:$PORT_BARE/" 60 || { log "bare-ws did not start"; return 1; }
      URLS="ws://127.0.0.1:$PORT_BARE/ws"; RAW=(--raw) ;;
    *) log "unknown system $sys"; return 1 ;;
  esac
  URL_A="${URLS%%,*}"
}

tool() { # label scenario args...: one bounded run, JSON line appended to $RESULTS
  local label="$1" scenario="$2"; shift 2
  time_left || { log "time budget spent: skipping $scenario for $label"; return 0; }
  log "  $label $scenario $*"
  run_tool "$scenario" --label "$label" "${RAW[@]}" "${IDENTITY[@]}" --json-out "$RESULTS" --max-time 600 "$@"
  tail -1 "$OUT/tool.out" | cut -c1-300 >&2
  check_started
}

run_system() {
  local sys="$1" round="$2" topic
  topic="/topic/bench.r$round"
  local fork=$FANOUT_FORK
  (( fork > 0 )) || fork=$(( (SUBSCRIBERS + 4999) / 5000 ))
  # 1. connections on fresh processes: RSS per idle subscribed connection, read as an operator sees it
  #    (from the idle started processes to all subscribed, nothing forced first; with RabbitMQ's RSS for
  #    the broker-based systems, whose own swings show in the per-pid fields), then live heap per
  #    connection (full GC with all subscribed, minus the same once all closed)
  [[ " $SCENARIOS " == *" connections "* ]] && tool "$sys" connections --url "$URLS" --connections "$CONN_N" --duration "$HOLD" \
    --topic "$topic.idle" --server-pid "$SERVER_PIDS" --server-gc --warm-connections "$WARM_CONN"
  # 2. fanout: SUBSCRIBERS over the nodes, one publisher, bounded in-flight window (each pacing;
  #    the raw ceiling has only one: its publisher's own echo)
  local pace
  [[ " $SCENARIOS " == *" fanout "* ]] && for pace in $PACES; do
    [[ ${#RAW[@]} -gt 0 && "$pace" != "${PACES%% *}" ]] && continue
    tool "$sys" fanout --url "$URLS" --subscribers "$SUBSCRIBERS" --body-bytes "$BODY" --window "$WINDOW" \
      --pace "$pace" --warmup "$WARMUP" --duration "$DURATION" --topic "$topic.fanout" --server-pid "$SERVER_PIDS" \
      $( (( fork > 1 )) && echo "--fork $fork --source-addresses 1")
  done
  # 3. latency at a fixed rate, publisher on node A, subscriber on node B
  [[ " $SCENARIOS " == *" latency "* ]] && tool "$sys" latency --url "$URLS" --rate "$RATE" --subscribers 1 --body-bytes "$BODY" \
    --warmup "$WARMUP" --duration "$DURATION" --topic "$topic.latency" --server-pid "$SERVER_PIDS"
  # 4. user destinations (systems that have them), users alternating over the nodes
  if [[ $USER_OK == 1 && " $SCENARIOS " == *" user "* ]]; then
    tool "$sys" user --url "$URLS" --users "$USERS" --rate "$RATE" --body-bytes "$BODY" \
      --warmup "$WARMUP" --duration "$DURATION" --user-prefix "r$round-u" --server-pid "$SERVER_PIDS"
  fi
}

for round in $(seq 1 "$ROUNDS"); do
  for sys in $SYSTEMS; do
    time_left || break 2
    log "round $round/$ROUNDS: $sys"
    if start_system "$sys" "$round"; then
      run_system "$sys" "$round" || true
    fi
    stop_started
    sleep 2
  done
done

# stompgate only, once: CONN_BIG idle subscribed connections over its two nodes (fresh nodes).
if [[ $CONN_BIG -gt 0 && " $SYSTEMS " == *" stompgate "* && " $SCENARIOS " == *" connections "* ]] && time_left; then
  log "scale: stompgate, $CONN_BIG subscribed connections over 2 nodes"
  if start_system stompgate big; then
    tool stompgate-20k connections --url "$URLS" --connections "$CONN_BIG" --duration "$HOLD" \
      --topic /topic/bench.big.idle --server-pid "$SERVER_PIDS" --fork 2 --source-addresses 2 \
      --server-gc --warm-connections "$WARM_CONN"
  fi
  stop_started
fi

# One node holding CAPACITY_N subscribed connections (the open-files limit is 20,000 per process).
if [[ $CAPACITY == 1 && " $SYSTEMS " == *" stompgate "* && " $SCENARIOS " == *" connections "* ]] && time_left; then
  log "capacity: one stompgate node, $CAPACITY_N subscribed connections"
  # shellcheck disable=SC2086
  java $JVM_OPTS -jar "$GW_JAR" --gateway.broker=rabbitmq --server.port=$PORT_GW1 \
    --gateway.node-id="bench-capacity" $GATEWAY_ARGS >"$OUT/stompgate-capacity.log" 2>&1 &
  STARTED+=($!); cap_pid=$!
  if wait_ready $PORT_GW1 60; then
    SERVER_PIDS="$cap_pid"; IDENTITY=(--identity query); RAW=()
    tool stompgate-capacity connections --url "ws://127.0.0.1:$PORT_GW1/ws" --connections "$CAPACITY_N" \
      --duration "$HOLD" --server-pid "$cap_pid" --fork 2 --source-addresses 2 --server-gc --warm-connections "$WARM_CONN"
  fi
  stop_started
fi

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
log "results: $RESULTS"
java -jar "$TOOL_JAR" summarize "$RESULTS" --ours stompgate | tee "$OUT/summary.txt"
