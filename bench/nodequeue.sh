#!/usr/bin/env bash
# Node queue type: the cost of gateway.rabbitmq.node-queue.type=classic vs quorum, and of both
# against round 1's node queue (exclusive, auto-delete; the jar of an older commit), measured in
# one interleaved run so that a shared machine's load falls on every configuration alike.
#
# Each round starts each configuration fresh (two gateway nodes in rabbitmq mode), runs the fanout
# (1,000 subscribers over the two nodes, publisher paced by RECEIPTs, then by its own copy) and the
# cross-node latency (1,000 msg/s, publisher on node A, subscriber on node B), and stops it. The order
# of the configurations rotates from round to round. Then it prints the medians (loadtool summarize).
# The load average is sampled every 5 s throughout (load.txt), and each tool run logs the machine's
# busy cores over the run (all processes, from /proc/stat) next to what the servers and the tool used.
#
# usage: bench/nodequeue.sh [--round1-jar PATH] [--rounds N] [--configs "round1 classic quorum"]
#                           [--scenarios "fanout latency"] [--subscribers N] [--out DIR] [--max-minutes M] [--quick]
#   --round1-jar: a gateway jar built from round 1 (e.g. commit 50aa303:
#       git worktree add --detach /tmp/r1 50aa303 && (cd /tmp/r1 && mvn -q -o package -DskipTests -Dexec.skip=true));
#       without it the configuration 'round1' is left out.
# Needs: target/stompgate-0.1.0-SNAPSHOT.jar (mvn -q -o package -DskipTests -Dexec.skip=true),
#        bench/loadtool/target/loadtool.jar (mvn -q -f bench/pom.xml -pl loadtool package),
#        RabbitMQ on 127.0.0.1:5672 (guest/guest). Traffic goes to 127.0.0.1 only.
# environment: BENCH_JVM_OPTS (gateway nodes, default -Xmx1g), BENCH_TOOL_OPTS, BENCH_GATEWAY_ARGS
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"

ROUNDS=3
CONFIGS="round1 classic quorum"
ROUND1_JAR=""
SUBSCRIBERS=1000
BODY=100
WINDOW=200
WARMUP=5
DURATION=10
RATE=1000
MAX_MINUTES=40
OUT=""
PACES="receipt echo"
SCENARIOS="fanout latency"
JVM_OPTS="${BENCH_JVM_OPTS:--Xmx1g}"
TOOL_OPTS="${BENCH_TOOL_OPTS:--Xmx1g -XX:+UseParallelGC}"
GATEWAY_ARGS="${BENCH_GATEWAY_ARGS:---gateway.drain.period=2s}"
PORT_GW1=18081; PORT_GW2=18082

while [[ $# -gt 0 ]]; do
  case "$1" in
    --round1-jar) ROUND1_JAR="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --configs) CONFIGS="$2"; shift ;;
    --subscribers) SUBSCRIBERS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --max-minutes) MAX_MINUTES="$2"; shift ;;
    --scenarios) SCENARIOS="$2"; shift ;;
    --quick) SUBSCRIBERS=200; WARMUP=2; DURATION=4 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
(( ROUNDS >= 1 && ROUNDS <= 10 )) || { echo "--rounds must be 1..10" >&2; exit 2; }
if [[ -z "$ROUND1_JAR" ]]; then CONFIGS="$(echo " $CONFIGS " | sed 's/ round1 / /; s/^ *//; s/ *$//')"; fi

OUT="${OUT:-$HERE/results/nodequeue-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
DEADLINE=$(( $(date +%s) + MAX_MINUTES * 60 ))
GW_JAR="$ROOT/target/stompgate-0.1.0-SNAPSHOT.jar"
TOOL_JAR="$HERE/loadtool/target/loadtool.jar"
for j in "$GW_JAR" "$TOOL_JAR" ${ROUND1_JAR:+"$ROUND1_JAR"}; do
  [[ -f "$j" ]] || { echo "missing $j (see the usage: bench/nodequeue.sh --help)" >&2; exit 1; }
done

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$OUT/run.log" >&2; }

# ---------------------------------------------------------------- cleanup (also on Ctrl-C)
STARTED=()
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
  echo "configs: $CONFIGS; scenarios: $SCENARIOS; rounds=$ROUNDS subscribers=$SUBSCRIBERS body=$BODY window=$WINDOW paces=$PACES warmup=$WARMUP duration=$DURATION rate=$RATE"
  echo "gateway jar: $GW_JAR ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null))"
  echo "round-1 jar: ${ROUND1_JAR:-none}"
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
start_config() { # config round
  local cfg="$1" round="$2" jar args p
  case "$cfg" in
    round1)  jar="$ROUND1_JAR"; args="" ;;
    classic) jar="$GW_JAR"; args="--gateway.rabbitmq.node-queue.type=classic" ;;
    quorum)  jar="$GW_JAR"; args="--gateway.rabbitmq.node-queue.type=quorum" ;;
    *) log "unknown configuration $cfg"; return 1 ;;
  esac
  SERVER_PIDS=""
  for p in $PORT_GW1 $PORT_GW2; do
    port_free "$p" || { log "port $p is in use by another process"; return 1; }
  done
  for p in $PORT_GW1 $PORT_GW2; do
    # a node id per configuration and round: no queue of an earlier run is taken over
    # shellcheck disable=SC2086
    java $JVM_OPTS -jar "$jar" --gateway.broker=rabbitmq --server.port=$p \
      --gateway.node-id="bench-nq-$cfg-r$round-$p" $args $GATEWAY_ARGS >"$OUT/$cfg-$p-r$round.log" 2>&1 &
    STARTED+=($!); SERVER_PIDS+="$!,"
  done
  wait_ready $PORT_GW1 && wait_ready $PORT_GW2 || { log "$cfg did not become ready (see $OUT/$cfg-*-r$round.log)"; return 1; }
  URLS="ws://127.0.0.1:$PORT_GW1/ws,ws://127.0.0.1:$PORT_GW2/ws"
  SERVER_PIDS+="$BEAM"
  rabbitmqctl -q list_queues name type durable exclusive auto_delete arguments 2>/dev/null \
    | grep "bench-nq-$cfg-r$round" >>"$OUT/queues.txt" || true
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
       echo "$line" | grep -o '"\(pace\|delivered_per_s\|server_cores\|tool_cores\|server_cpu_s_per_million_delivered\|dropped_while_running\|p50_ms\|p99_ms\|lost\)":[^,}]*' | tr '\n' ' ')"
  echo "{\"label\":\"$label\",\"scenario\":\"$scenario\",\"load1_before\":$l0,\"load1_after\":$(cut -d' ' -f1 /proc/loadavg),\"machine_busy_cores\":$busy}" >>"$OUT/machine-runs.jsonl"
  local pid
  for pid in "${STARTED[@]}"; do
    kill -0 "$pid" 2>/dev/null || log "  WARNING: server process $pid is gone (see its log in $OUT)"
  done
}

run_config() { # config round
  local cfg="$1" round="$2" topic="/topic/bench.nq.r$2" pace
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
java -jar "$TOOL_JAR" summarize "$RESULTS" --ours classic | tee "$OUT/summary.txt"
