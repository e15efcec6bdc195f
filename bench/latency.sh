#!/usr/bin/env bash
# The latency tail and the cost of a quiet message (issue 17 §2): cross-node latency at a fixed rate
# (default 1,000 msg/s, one publisher, one subscriber) and CPU-seconds per million messages (servers +
# RabbitMQ, RabbitMQ's part apart), for the gateway, RabbitMQ Web-STOMP and a bare AMQP publish/consume
# round trip (RabbitMQ's own hop), in one interleaved run so that a shared machine's load falls on
# every configuration alike. Same approach as nodequeue.sh.
#
# Configurations, each started fresh per round (the order rotates from round to round):
#   stompgate       two gateway nodes (target/stompgate-*.jar) in rabbitmq mode; publisher on node 1,
#                   subscriber on node 2
#   stompgate-same  one gateway node; publisher and subscriber both on it (only with --same or --configs)
#   baseline        as stompgate, with the jar given by --baseline-jar (e.g. the previous commit's: before/
#                   after); left out without it
#   web-stomp       RabbitMQ Web-STOMP, ws://127.0.0.1:15674/ws, CONNECT guest/guest
#   amqp            the load tool's amqp-latency: publish with confirms to a topic exchange of its own,
#                   consume from an exclusive queue with the gateway's batched acks (server: beam.smp)
# Each configuration first gets a short unmeasured run (--jit-seconds at --jit-rate, results in
# jit-warmup.jsonl), so the fresh gateways' JIT is done, then the measured run (--warmup, then --duration;
# latency from the scheduled send time, so a stalled sender counts). The load average is sampled every
# 5 s (load.txt); each measured run logs the machine's busy cores. At the end: medians per configuration
# (latency_summary.py: p50/p90/p99/max, lost, CPU-s per million messages: all servers, RabbitMQ, the
# gateway nodes; the tool's) and loadtool summarize (ratios of stompgate to the others).
#
# usage: bench/latency.sh [--baseline-jar JAR] [--gateway-jar JAR] [--same] [--rounds N (3)]
#                         [--configs "stompgate baseline web-stomp amqp"] [--rate R (1000)]
#                         [--warmup S (5)] [--duration S (20)] [--body-bytes B (100)]
#                         [--jit-seconds S (10; 0: none)] [--jit-rate R (2000)] [--out DIR]
#                         [--max-minutes M (30)] [--quick]
#   --baseline-jar: e.g. git worktree add --detach /tmp/prev HEAD~1 && (cd /tmp/prev && mvn -q -o package -DskipTests)
#   --quick: --warmup 2 --duration 5 --jit-seconds 5
#   The JIT warm-up should not overload the fresh nodes (at 5,000 msg/s a fresh node here fell behind by a
#   second and cut the subscriber as a slow consumer): its line in run.log shows lost/dropped/errors.
# Needs: target/stompgate-0.1.0-SNAPSHOT.jar (mvn -q -o package -DskipTests),
#        bench/loadtool/target/loadtool.jar (mvn -q -o -f bench/pom.xml -pl loadtool package),
#        RabbitMQ on 127.0.0.1:5672 (guest/guest) with rabbitmq_web_stomp. Traffic goes to 127.0.0.1 only.
#        Run it under the bench lock: flock /work/notes/bench.lock bench/latency.sh ...
# environment: BENCH_JVM_OPTS (gateway nodes, default -Xmx1g), BENCH_TOOL_OPTS, BENCH_GATEWAY_ARGS
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

interleaved_defaults
CONFIGS="stompgate baseline web-stomp amqp"
DURATION=20
MAX_MINUTES=30
BASELINE_JAR=""
GATEWAY_JAR=""
SAME=0
JIT_SECONDS=10
JIT_RATE=2000
WEBSTOMP_URL="ws://127.0.0.1:15674/ws"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --baseline-jar) BASELINE_JAR="$2"; shift ;;
    --gateway-jar) GATEWAY_JAR="$2"; shift ;;
    --same) SAME=1 ;;
    --rate) RATE="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --body-bytes) BODY="$2"; shift ;;
    --jit-seconds) JIT_SECONDS="$2"; shift ;;
    --jit-rate) JIT_RATE="$2"; shift ;;
    --quick) WARMUP=2; DURATION=5; JIT_SECONDS=5 ;;
    -h|--help) sed -n '2,37p' "$0"; exit 0 ;;
    *) interleaved_option "$@" || { echo "unknown option $1" >&2; exit 2; }; shift ;;
  esac
  shift
done
int() { [[ "$2" =~ ^[0-9]+$ ]] && (( $2 >= $3 && $2 <= $4 )) || { echo "$1 must be a whole number in $3..$4" >&2; exit 2; }; }
int --rounds "$ROUNDS" 1 10
int --rate "$RATE" 1 100000
int --warmup "$WARMUP" 0 120
int --duration "$DURATION" 1 180
int --body-bytes "$BODY" 40 65536
int --jit-seconds "$JIT_SECONDS" 0 60
int --jit-rate "$JIT_RATE" 1 100000
int --max-minutes "$MAX_MINUTES" 1 240
(( WARMUP + DURATION <= 200 )) || { echo "--warmup + --duration must be at most 200 s (each run's hard stop is 300 s)" >&2; exit 2; }
if [[ $SAME == 1 && " $CONFIGS " != *" stompgate-same "* ]]; then CONFIGS="$CONFIGS stompgate-same"; fi
if [[ -z "$BASELINE_JAR" && " $CONFIGS " == *" baseline "* ]]; then
  CONFIGS="$(echo " $CONFIGS " | sed 's/ baseline / /; s/^ *//; s/ *$//')"
  echo "no --baseline-jar: configuration 'baseline' left out" >&2
fi

init_run_dir "$HERE/results/latency-$(date +%Y%m%d-%H%M%S)"
GW_JAR="${GATEWAY_JAR:-$GW_JAR}"
for j in "$GW_JAR" "$TOOL_JAR" ${BASELINE_JAR:+"$BASELINE_JAR"}; do
  [[ -f "$j" ]] || { echo "missing $j (see the usage: bench/latency.sh --help)" >&2; exit 1; }
done

LOG_FILE="$OUT/run.log"
trap_cleanup stop_all

# ---------------------------------------------------------------- machine
require_rabbitmq_listener
if [[ " $CONFIGS " == *" web-stomp "* ]] && ! (exec 3<>/dev/tcp/127.0.0.1/15674) 2>/dev/null; then
  echo "Web-STOMP does not listen on 127.0.0.1:15674 (rabbitmq-plugins enable rabbitmq_web_stomp), or leave web-stomp out with --configs" >&2
  exit 1
fi
{
  describe_machine
  describe_rabbitmq_listener
  echo "configs: $CONFIGS; rounds=$ROUNDS rate=$RATE body=$BODY warmup=$WARMUP duration=$DURATION jit-warm-up=${JIT_SECONDS}s at $JIT_RATE msg/s"
  echo "gateway jar: $GW_JAR ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null))"
  echo "baseline jar: ${BASELINE_JAR:-none}"
  echo "server JVM options: $JVM_OPTS; tool JVM options: $TOOL_OPTS; gateway args: $GATEWAY_ARGS"
  echo "load before start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt" >&2

start_load_sampler

# ---------------------------------------------------------------- configurations
SERVER_PIDS=""; URLS=""
SCEN=latency; TARGET=(); IDENT=()
start_config() { # config round: servers started and ready; SCEN, TARGET, IDENT, SERVER_PIDS set
  local cfg="$1" round="$2"
  SCEN=latency; TARGET=(); IDENT=(); SERVER_PIDS=""; URLS=""
  case "$cfg" in
    stompgate|baseline)
      local jar="$GW_JAR"; [[ "$cfg" == baseline ]] && jar="$BASELINE_JAR"
      start_gateway_nodes "$cfg" "$round" "$jar" rabbitmq bench-lat "" $PORT_GW1 $PORT_GW2 || return 1
      SERVER_PIDS+="$BEAM"
      TARGET=(--url "$URLS" --publisher-url 0 --subscriber-url 1) ;;
    stompgate-same)
      start_gateway_nodes "$cfg" "$round" "$GW_JAR" rabbitmq bench-lat "" $PORT_GW1 || return 1
      SERVER_PIDS+="$BEAM"
      TARGET=(--url "$URLS" --publisher-url 0 --subscriber-url 0) ;;
    web-stomp)
      # CONNECT guest/guest, heart-beats 0,0, no permessage-deflate (docs/performance.md)
      SERVER_PIDS="$BEAM"
      TARGET=(--url "$WEBSTOMP_URL"); IDENT=(--identity none --login guest --passcode guest) ;;
    amqp)
      SERVER_PIDS="$BEAM"; SCEN=amqp-latency ;;
    *) log "unknown configuration $cfg"; return 1 ;;
  esac
}

# result fields each measured run logs (measured_tool, lib.sh)
TOOL_FIELDS="p50_ms p99_ms max_ms lost server_cpu_s_per_million_messages broker_cpu_s_per_million_messages confirm_p99_ms"

run_config() { # config round
  local cfg="$1" round="$2" topic="/topic/bench.lat.$1.r$2"
  if (( JIT_SECONDS > 0 )); then
    # unmeasured: the fresh servers' code paths get compiled before the measured window
    time_left || return 0
    run_tool "$SCEN" --label "$cfg-jit" --identity query "${TARGET[@]}" "${IDENT[@]}" --rate "$JIT_RATE" --subscribers 1 \
      --body-bytes "$BODY" --warmup 0 --duration "$JIT_SECONDS" --topic "$topic.jit" \
      --json-out "$OUT/jit-warmup.jsonl" --max-time 150
    log "  $cfg jit warm-up: $(tail -1 "$OUT/tool.out" | grep -o '"\(sent_window\|lost\|p50_ms\|p99_ms\|dropped_while_running\|errors\)":[^,}]*' | tr '\n' ' ')"
  fi
  measured_tool "$cfg" "$SCEN" "${TARGET[@]}" "${IDENT[@]}" --rate "$RATE" --subscribers 1 --body-bytes "$BODY" \
    --warmup "$WARMUP" --duration "$DURATION" --topic "$topic" --server-pid "$SERVER_PIDS"
}

run_rotating_rounds
finish_load_report
# amqp-latency deletes its exchange and queue; say so if anything of it is left
left="$(rabbitmqctl -q list_exchanges name 2>/dev/null | grep -c '^bench\.amqp\.' || true)"
[[ "${left:-0}" == 0 ]] || log "WARNING: $left bench.amqp.* exchanges left in RabbitMQ"
log "results: $RESULTS"
{
  "$HERE/latency_summary.py" "$OUT"
  java -jar "$TOOL_JAR" summarize "$RESULTS" --ours stompgate
} | tee "$OUT/summary.txt"
