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
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

interleaved_defaults
CONFIGS="plain history local"
MESSAGES=100000
SCENARIOS="replay fanout latency"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --messages) MESSAGES="$2"; shift ;;
    --quick) SUBSCRIBERS=200; WARMUP=2; DURATION=4; MESSAGES=20000 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) interleaved_option "$@" || { echo "unknown option $1" >&2; exit 2; }; shift ;;
  esac
  shift
done
(( ROUNDS >= 1 && ROUNDS <= 10 )) || { echo "--rounds must be 1..10" >&2; exit 2; }
(( MESSAGES >= 1 && MESSAGES <= 1000000 )) || { echo "--messages must be 1..1000000" >&2; exit 2; }
command -v rabbitmqctl >/dev/null || { echo "needs rabbitmqctl (to delete the history streams)" >&2; exit 1; }
RUN_ID="$(date +%Y%m%d%H%M%S)"
HISTORY_PATTERN="/topic/bench.hist.#"

init_run_dir "$HERE/results/history-$(date +%Y%m%d-%H%M%S)"
for j in "$GW_JAR" "$TOOL_JAR"; do
  [[ -f "$j" ]] || { echo "missing $j (see the usage: bench/history.sh --help)" >&2; exit 1; }
done

LOG_FILE="$OUT/run.log"

# ---------------------------------------------------------------- cleanup (also on Ctrl-C)
STREAMS=()   # history streams this run declared: deleted when their configuration stops
on_stop_started() { # after stop_started (lib.sh): the stopped configuration's streams
  local s
  for s in "${STREAMS[@]}"; do
    rabbitmqctl -q list_queues name messages 2>/dev/null | awk -v s="$s" '$1 == s {print "stream " $1 ": " $2 " messages"}' >>"$OUT/queues.txt" || true
    rabbitmqctl -q delete_queue "$s" >/dev/null 2>&1 && log "deleted stream $s" || log "WARNING: could not delete stream $s"
  done
  STREAMS=()
}
trap_cleanup stop_all

# ---------------------------------------------------------------- machine
require_rabbitmq_listener
{
  describe_machine
  describe_rabbitmq_listener
  echo "configs: $CONFIGS; scenarios: $SCENARIOS; rounds=$ROUNDS subscribers=$SUBSCRIBERS body=$BODY window=$WINDOW paces=$PACES warmup=$WARMUP duration=$DURATION rate=$RATE messages=$MESSAGES"
  echo "history: $HISTORY_PATTERN, streams bench.history.$RUN_ID.<round> (deleted after use)"
  echo "gateway jar: $GW_JAR ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null))"
  echo "server JVM options: $JVM_OPTS; tool JVM options: $TOOL_OPTS; gateway args: $GATEWAY_ARGS"
  echo "load before start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt" >&2

start_load_sampler

# ---------------------------------------------------------------- gateway nodes
SERVER_PIDS=""; URLS=""
NODES=2
start_config() { # config round
  local cfg="$1" round="$2" mode=rabbitmq args="" ports
  case "$cfg" in
    plain)   ;;
    history) args="--gateway.history.destinations=$HISTORY_PATTERN --gateway.rabbitmq.history-stream=bench.history.$RUN_ID.r$round"
             STREAMS+=("bench.history.$RUN_ID.r$round") ;;
    local)   mode=local; args="--gateway.history.destinations=$HISTORY_PATTERN" ;;
    *) log "unknown configuration $cfg"; return 1 ;;
  esac
  if [[ "$mode" == local ]]; then NODES=1; ports="$PORT_GW1"; else NODES=2; ports="$PORT_GW1 $PORT_GW2"; fi
  # shellcheck disable=SC2086
  start_gateway_nodes "$cfg" "$round" "$GW_JAR" "$mode" bench-hist "$args" $ports || return 1
  if [[ "$mode" == rabbitmq ]]; then
    SERVER_PIDS+="$BEAM"
    rabbitmqctl -q list_queues name type durable arguments 2>/dev/null \
      | grep -e "bench-hist-$cfg-r$round" -e "bench.history.$RUN_ID.r$round" >>"$OUT/queues.txt" || true
  else
    SERVER_PIDS="${SERVER_PIDS%,}"
  fi
}

# result fields each run logs (measured_tool, lib.sh)
TOOL_FIELDS="pace replayed_per_s replay_complete publish_s first_message_ms out_of_order delivered_per_s server_cores tool_cores server_cpu_s_per_million_delivered dropped_while_running p50_ms p99_ms lost"

run_config() { # config round
  local cfg="$1" round="$2" topic="/topic/bench.hist.r$2"
  # replay first: the history then holds only the replayed topic's messages (a read from 'first' filters
  # the whole retained history, so anything else in it would slow the read down)
  if [[ " $SCENARIOS " == *" replay "* && "$cfg" != plain ]]; then
    measured_tool "$cfg" replay --url "$URLS" --messages "$MESSAGES" --body-bytes "$BODY" --window "$WINDOW" \
      --offset first --duration 120 --topic "$topic.replay" --server-pid "$SERVER_PIDS"
  fi
  [[ "$cfg" == local ]] && return 0   # one node: no fanout over two nodes, no cross-node latency
  fanout_and_latency "$cfg" "$topic"
}

run_rotating_rounds
finish_load_report
log "results: $RESULTS"
"$HERE/nodequeue_summary.py" "$OUT" | tee "$OUT/summary.txt"
