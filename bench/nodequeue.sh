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
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

interleaved_defaults
CONFIGS="round1 classic quorum"
ROUND1_JAR=""
SCENARIOS="fanout latency"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --round1-jar) ROUND1_JAR="$2"; shift ;;
    --quick) SUBSCRIBERS=200; WARMUP=2; DURATION=4 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) interleaved_option "$@" || { echo "unknown option $1" >&2; exit 2; }; shift ;;
  esac
  shift
done
(( ROUNDS >= 1 && ROUNDS <= 10 )) || { echo "--rounds must be 1..10" >&2; exit 2; }
if [[ -z "$ROUND1_JAR" ]]; then CONFIGS="$(echo " $CONFIGS " | sed 's/ round1 / /; s/^ *//; s/ *$//')"; fi

init_run_dir "$HERE/results/nodequeue-$(date +%Y%m%d-%H%M%S)"
for j in "$GW_JAR" "$TOOL_JAR" ${ROUND1_JAR:+"$ROUND1_JAR"}; do
  [[ -f "$j" ]] || { echo "missing $j (see the usage: bench/nodequeue.sh --help)" >&2; exit 1; }
done

LOG_FILE="$OUT/run.log"
trap_cleanup stop_all

# ---------------------------------------------------------------- machine
require_rabbitmq_listener
{
  describe_machine
  describe_rabbitmq_listener
  echo "configs: $CONFIGS; scenarios: $SCENARIOS; rounds=$ROUNDS subscribers=$SUBSCRIBERS body=$BODY window=$WINDOW paces=$PACES warmup=$WARMUP duration=$DURATION rate=$RATE"
  echo "gateway jar: $GW_JAR ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null))"
  echo "round-1 jar: ${ROUND1_JAR:-none}"
  echo "server JVM options: $JVM_OPTS; tool JVM options: $TOOL_OPTS; gateway args: $GATEWAY_ARGS"
  echo "load before start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt" >&2

start_load_sampler

# ---------------------------------------------------------------- gateway nodes
SERVER_PIDS=""; URLS=""
start_config() { # config round
  local cfg="$1" round="$2" jar args
  case "$cfg" in
    round1)  jar="$ROUND1_JAR"; args="" ;;
    classic) jar="$GW_JAR"; args="--gateway.rabbitmq.node-queue.type=classic" ;;
    quorum)  jar="$GW_JAR"; args="--gateway.rabbitmq.node-queue.type=quorum" ;;
    *) log "unknown configuration $cfg"; return 1 ;;
  esac
  start_gateway_nodes "$cfg" "$round" "$jar" rabbitmq bench-nq "$args" $PORT_GW1 $PORT_GW2 || return 1
  SERVER_PIDS+="$BEAM"
  rabbitmqctl -q list_queues name type durable exclusive auto_delete arguments 2>/dev/null \
    | grep "bench-nq-$cfg-r$round" >>"$OUT/queues.txt" || true
}

# result fields each run logs (measured_tool, lib.sh)
TOOL_FIELDS="pace delivered_per_s server_cores tool_cores server_cpu_s_per_million_delivered dropped_while_running p50_ms p99_ms lost"

run_config() { # config round
  fanout_and_latency "$1" "/topic/bench.nq.r$2"
}

run_rotating_rounds
finish_load_report
log "results: $RESULTS"
java -jar "$TOOL_JAR" summarize "$RESULTS" --ours classic | tee "$OUT/summary.txt"
