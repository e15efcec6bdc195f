#!/usr/bin/env bash
# History topics (docs/protocol.md §7): what a topic under gateway.history.destinations costs against
# the same topic without history, and how fast a history replays to one client, in one interleaved run
# so that a shared machine's load falls on every configuration alike. Same approach as nodequeue.sh.
#
# Configurations, each started fresh per round (the order rotates from round to round):
#   plain    two gateway nodes in rabbitmq mode, no history
#   history  the same, with --gateway.history.destinations=/topic/bench.hist.# and a history stream of
#            its own (bench.history.<run>.<round>), deleted when the configuration stops
#   local    one gateway node in local mode with the same history (in memory); replay only
# Scenarios: fanout (1,000 subscribers over the two nodes, RECEIPT-paced, then paced by delivery),
# cross-node latency (1,000 msg/s, publisher on node A, subscriber on node B), both on the same topic
# /topic/bench.hist.r<round>.*; replay (history and local only; first in the configuration, so the
# stream holds nothing else yet): --messages N sent to the topic, then one reader subscribes with
# x-stream-offset: first (on node B in rabbitmq mode) and reads until the N-th: replayed messages/s.
# The load average is sampled every 5 s (load.txt); each tool run logs the machine's busy cores.
#
# usage: bench/history.sh [--rounds N] [--configs "plain history local"] [--scenarios "replay fanout latency"]
#                         [--messages N] [--subscribers N] [--out DIR] [--max-minutes M] [--quick]
# Needs: target/stompgate-0.1.0-SNAPSHOT.jar (mvn -q -o package -DskipTests -Dexec.skip=true),
#        bench/loadtool/target/loadtool.jar (mvn -q -f bench/pom.xml -pl loadtool package),
#        RabbitMQ on 127.0.0.1:5672 (guest/guest), rabbitmqctl. Traffic goes to 127.0.0.1 only.
# environment: BENCH_JVM_OPTS (gateway nodes, default -Xmx1g), BENCH_TOOL_OPTS, BENCH_GATEWAY_ARGS
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"

ROUNDS=3
CONFIGS="plain history local"
MESSAGES=100000
SUBSCRIBERS=1000
BODY=100
WINDOW=200
WARMUP=5
DURATION=10
RATE=1000
MAX_MINUTES=40
OUT=""
PACES="receipt echo"
SCENARIOS="replay fanout latency"
JVM_OPTS="${BENCH_JVM_OPTS:--Xmx1g}"
TOOL_OPTS="${BENCH_TOOL_OPTS:--Xmx1g -XX:+UseParallelGC}"
GATEWAY_ARGS="${BENCH_GATEWAY_ARGS:---gateway.drain.period=2s}"
PORT_GW1=18081; PORT_GW2=18082

while [[ $# -gt 0 ]]; do
  case "$1" in
    --messages) MESSAGES="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --configs) CONFIGS="$2"; shift ;;
    --subscribers) SUBSCRIBERS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --max-minutes) MAX_MINUTES="$2"; shift ;;
    --scenarios) SCENARIOS="$2"; shift ;;
    --quick) SUBSCRIBERS=200; WARMUP=2; DURATION=4; MESSAGES=20000 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
(( ROUNDS >= 1 && ROUNDS <= 10 )) || { echo "--rounds must be 1..10" >&2; exit 2; }
(( MESSAGES >= 1 && MESSAGES <= 1000000 )) || { echo "--messages must be 1..1000000" >&2; exit 2; }
command -v rabbitmqctl >/dev/null || { echo "needs rabbitmqctl (to delete the history streams)" >&2; exit 1; }
RUN_ID="$(date +%Y%m%d%H%M%S)"
HISTORY_PATTERN="/topic/bench.hist.#"

OUT="${OUT:-$HERE/results/history-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
DEADLINE=$(( $(date +%s) + MAX_MINUTES * 60 ))
GW_JAR="$ROOT/target/stompgate-0.1.0-SNAPSHOT.jar"
TOOL_JAR="$HERE/loadtool/target/loadtool.jar"
for j in "$GW_JAR" "$TOOL_JAR"; do
  [[ -f "$j" ]] || { echo "missing $j (see the usage: bench/history.sh --help)" >&2; exit 1; }
done

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$OUT/run.log" >&2; }

# ---------------------------------------------------------------- cleanup (also on Ctrl-C)
STARTED=()
STREAMS=()   # history streams this run declared: deleted when their configuration stops
TOOL_PID=""
LOAD_PID=""
stop_started() {
  local pid
  if [[ -n "$TOOL_PID" ]] && kill -0 "$TOOL_PID" 2>/dev/null; then kill "$TOOL_PID" 2>/dev/null || true; fi
  for pid in "${STARTED[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  done
  for pid in "${STARTED[@]}"; do
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  done
  STARTED=()
  local s
  for s in "${STREAMS[@]}"; do
    rabbitmqctl -q list_queues name messages 2>/dev/null | awk -v s="$s" '$1 == s {print "stream " $1 ": " $2 " messages"}' >>"$OUT/queues.txt" || true
    rabbitmqctl -q delete_queue "$s" >/dev/null 2>&1 && log "deleted stream $s" || log "WARNING: could not delete stream $s"
  done
  STREAMS=()
}
stop_all() {
  stop_started
  if [[ -n "$LOAD_PID" ]] && kill -0 "$LOAD_PID" 2>/dev/null; then kill "$LOAD_PID" 2>/dev/null || true; fi
  LOAD_PID=""
}
trap 'stop_all' EXIT
trap 'log "interrupted"; stop_all; exit 130' INT TERM
time_left() { (( $(date +%s) < DEADLINE )); }

# ---------------------------------------------------------------- machine
rabbitmq-diagnostics -q ping >/dev/null 2>&1 || { echo "RabbitMQ is not running on this machine" >&2; exit 1; }
# the beam.smp that listens on 5672 (other RabbitMQ nodes may be running for other work)
BEAM="$(ss -ltnpH 'sport = :5672' 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)"
[[ -n "$BEAM" ]] || BEAM="$(pgrep -u rabbitmq -x beam.smp | head -1 || true)"
[[ -n "$BEAM" ]] || { echo "cannot find the RabbitMQ process listening on 5672" >&2; exit 1; }
{
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "rabbitmq: $(rabbitmqctl -q version 2>/dev/null) (pid $BEAM on 5672); other beam.smp: $(pgrep -x beam.smp | grep -vx "$BEAM" | tr '\n' ' ')"
  echo "configs: $CONFIGS; scenarios: $SCENARIOS; rounds=$ROUNDS subscribers=$SUBSCRIBERS body=$BODY window=$WINDOW paces=$PACES warmup=$WARMUP duration=$DURATION rate=$RATE messages=$MESSAGES"
  echo "history: $HISTORY_PATTERN, streams bench.history.$RUN_ID.<round> (deleted after use)"
  echo "gateway jar: $GW_JAR ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null))"
  echo "server JVM options: $JVM_OPTS; tool JVM options: $TOOL_OPTS; gateway args: $GATEWAY_ARGS"
  echo "load before start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt" >&2

( while :; do echo "$(date +%H:%M:%S) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 5; done ) >"$OUT/load.txt" 2>/dev/null &
LOAD_PID=$!

cpu_busy_ticks() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }

# ---------------------------------------------------------------- gateway nodes
wait_ready() {
  local port="$1"
  for _ in $(seq 1 450); do
    [[ "$(curl -s -m 1 "http://127.0.0.1:$port/actuator/health/readiness" || true)" == *'"UP"'* ]] && return 0
    sleep 0.2
  done
  return 1
}
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

SERVER_PIDS=""; URLS=""
NODES=2
start_config() { # config round
  local cfg="$1" round="$2" mode=rabbitmq args="" p ports
  case "$cfg" in
    plain)   ;;
    history) args="--gateway.history.destinations=$HISTORY_PATTERN --gateway.rabbitmq.history-stream=bench.history.$RUN_ID.r$round"
             STREAMS+=("bench.history.$RUN_ID.r$round") ;;
    local)   mode=local; args="--gateway.history.destinations=$HISTORY_PATTERN" ;;
    *) log "unknown configuration $cfg"; return 1 ;;
  esac
  SERVER_PIDS=""
  if [[ "$mode" == local ]]; then NODES=1; ports="$PORT_GW1"; else NODES=2; ports="$PORT_GW1 $PORT_GW2"; fi
  for p in $ports; do
    port_free "$p" || { log "port $p is in use by another process"; return 1; }
  done
  for p in $ports; do
    # a node id per configuration and round: no queue of an earlier run is taken over
    # shellcheck disable=SC2086
    java $JVM_OPTS -jar "$GW_JAR" --gateway.broker=$mode --server.port=$p \
      --gateway.node-id="bench-hist-$cfg-r$round-$p" $args $GATEWAY_ARGS >"$OUT/$cfg-$p-r$round.log" 2>&1 &
    STARTED+=($!); SERVER_PIDS+="$!,"
  done
  URLS=""
  for p in $ports; do
    wait_ready "$p" || { log "$cfg did not become ready (see $OUT/$cfg-*-r$round.log)"; return 1; }
    URLS+="${URLS:+,}ws://127.0.0.1:$p/ws"
  done
  if [[ "$mode" == rabbitmq ]]; then
    SERVER_PIDS+="$BEAM"
    rabbitmqctl -q list_queues name type durable arguments 2>/dev/null \
      | grep -e "bench-hist-$cfg-r$round" -e "bench.history.$RUN_ID.r$round" >>"$OUT/queues.txt" || true
  else
    SERVER_PIDS="${SERVER_PIDS%,}"
  fi
}

tool() { # label scenario args...
  local label="$1" scenario="$2"; shift 2
  time_left || { log "time budget spent: skipping $scenario for $label"; return 0; }
  local l0 c0 c1
  l0="$(cut -d' ' -f1 /proc/loadavg)"; c0="$(cpu_busy_ticks)"
  # shellcheck disable=SC2086
  java $TOOL_OPTS -jar "$TOOL_JAR" "$scenario" --label "$label" --identity query \
    --json-out "$RESULTS" --max-time 300 "$@" >>"$OUT/tool.out" 2>>"$OUT/tool.err" &
  TOOL_PID=$!
  wait "$TOOL_PID" || log "  (run reported a failure; see $OUT/tool.err)"
  TOOL_PID=""
  c1="$(cpu_busy_ticks)"
  local line; line="$(tail -1 "$OUT/tool.out")"
  local busy
  busy="$(awk -v a="$c0" -v b="$c1" -v n="$(nproc)" 'BEGIN { split(a,x," "); split(b,y," ");
          t=(y[2]-x[2]); printf "%.2f", (t>0 ? (y[1]-x[1])/t*n : 0) }')"
  log "  $label $scenario: load1 $l0 -> $(cut -d' ' -f1 /proc/loadavg), machine busy $busy cores over the run; $(
       echo "$line" | grep -o '"\(pace\|replayed_per_s\|replay_complete\|publish_s\|first_message_ms\|out_of_order\|delivered_per_s\|server_cores\|tool_cores\|server_cpu_s_per_million_delivered\|dropped_while_running\|p50_ms\|p99_ms\|lost\)":[^,}]*' | tr '\n' ' ')"
  echo "{\"label\":\"$label\",\"scenario\":\"$scenario\",\"load1_before\":$l0,\"load1_after\":$(cut -d' ' -f1 /proc/loadavg),\"machine_busy_cores\":$busy}" >>"$OUT/machine-runs.jsonl"
  local pid
  for pid in "${STARTED[@]}"; do
    kill -0 "$pid" 2>/dev/null || log "  WARNING: server process $pid is gone (see its log in $OUT)"
  done
}

run_config() { # config round
  local cfg="$1" round="$2" topic="/topic/bench.hist.r$2" pace
  # replay first: the history then holds only the replayed topic's messages (a read from 'first' filters
  # the whole retained history, so anything else in it would slow the read down)
  if [[ " $SCENARIOS " == *" replay "* && "$cfg" != plain ]]; then
    tool "$cfg" replay --url "$URLS" --messages "$MESSAGES" --body-bytes "$BODY" --window "$WINDOW" \
      --offset first --duration 120 --topic "$topic.replay" --server-pid "$SERVER_PIDS"
  fi
  [[ "$cfg" == local ]] && return 0   # one node: no fanout over two nodes, no cross-node latency
  [[ " $SCENARIOS " == *" fanout "* ]] && for pace in $PACES; do
    tool "$cfg" fanout --url "$URLS" --subscribers "$SUBSCRIBERS" --body-bytes "$BODY" --window "$WINDOW" \
      --pace "$pace" --warmup "$WARMUP" --duration "$DURATION" --topic "$topic.fanout" --server-pid "$SERVER_PIDS"
  done
  [[ " $SCENARIOS " == *" latency "* ]] && tool "$cfg" latency --url "$URLS" --rate "$RATE" --subscribers 1 --body-bytes "$BODY" \
    --warmup "$WARMUP" --duration "$DURATION" --topic "$topic.latency" --server-pid "$SERVER_PIDS"
  return 0
}

read -r -a CFG <<<"$CONFIGS"
for round in $(seq 1 "$ROUNDS"); do
  n=${#CFG[@]}
  for k in $(seq 0 $(( n - 1 ))); do
    cfg="${CFG[$(( (k + round - 1) % n ))]}"     # the order rotates from round to round
    time_left || break 2
    log "round $round/$ROUNDS: $cfg (load $(cut -d' ' -f1-3 /proc/loadavg))"
    if start_config "$cfg" "$round"; then
      run_config "$cfg" "$round" || true
    fi
    stop_started
    sleep 2
  done
done

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt" >&2
stop_all
awk '{print $2}' "$OUT/load.txt" | sort -n | awk '{v[NR]=$1} END { if (NR) printf "load1 during the run: min %s, median %s, max %s (%d samples, every 5 s)\n", v[1], v[int((NR+1)/2)], v[NR], NR }' \
  | tee -a "$OUT/machine.txt" >&2
log "results: $RESULTS"
"$HERE/nodequeue_summary.py" "$OUT" | tee "$OUT/summary.txt"
