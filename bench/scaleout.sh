#!/usr/bin/env bash
# Scale-out under load (docs/protocol.md §8): --before nodes hold --connections subscribed sessions
# (load tool, connections scenario), then nodes are added up to --after, and the busy nodes hand
# sessions back (ERROR rebalancing) while the load tool reconnects each closed session to the next
# live node (--live-path, --reconnect-on: it acts as the load balancer), round-robin like a Kubernetes
# Service, or --balance least-connections like a balancer that counts connections.
#
# Reports: the time from the last new node turning ready to the last rebalancing close (when the
# cluster stopped moving) and to the first moment every node was within the tolerance band, the
# sessions closed (stomp_rebalance_closes_total over all nodes, and the tool's reconnects), and
# the sessions per node at the end. One summary line, JSON, on stdout; logs in --out.
#
# Nodes are separate `java -jar` processes on 127.0.0.1 ports --base-port, +1, ... in rabbitmq mode
# against RabbitMQ on 127.0.0.1:5672 (guest/guest), with the gateway.* defaults unless
# SCALEOUT_GATEWAY_ARGS says otherwise. Every step is bounded; everything started is stopped on exit.
#
# usage: bench/scaleout.sh [--before 2] [--after 3] [--connections 3000] [--quiet 30] [--max-wait 300]
#                          [--base-port 18101] [--balance round-robin|least-connections] [--out DIR]
# needs: target/stompgate-*.jar (mvn -q -DskipTests package) and bench/loadtool/target/loadtool.jar
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BEFORE=2
AFTER=3
CONNECTIONS=3000
QUIET=30          # seconds without a rebalancing close after which the cluster counts as settled
MAX_WAIT=300      # seconds the scale-out may take at most
BASE_PORT=18101
BALANCE=round-robin
OUT=""
JVM_OPTS="${SCALEOUT_JVM_OPTS:--Xmx256m -XX:+UseSerialGC}"
GATEWAY_ARGS="${SCALEOUT_GATEWAY_ARGS:-}"
TOLERANCE=0.2     # the default gateway.rebalance.tolerance, for the band check only

while [[ $# -gt 0 ]]; do
  case "$1" in
    --before) BEFORE="$2"; shift 2 ;;
    --after) AFTER="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --quiet) QUIET="$2"; shift 2 ;;
    --max-wait) MAX_WAIT="$2"; shift 2 ;;
    --base-port) BASE_PORT="$2"; shift 2 ;;
    --balance) BALANCE="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
(( BEFORE >= 1 && AFTER > BEFORE && AFTER <= 12 )) || { echo "need 1 <= --before < --after <= 12" >&2; exit 2; }
(( CONNECTIONS >= 1 && CONNECTIONS <= 15000 )) || { echo "--connections within [1, 15000]" >&2; exit 2; }

JAR="$(ls "$ROOT"/target/stompgate-*.jar 2>/dev/null | grep -v original | head -1 || true)"
TOOL="$ROOT/bench/loadtool/target/loadtool.jar"
[[ -f "$JAR" ]] || { echo "no target/stompgate-*.jar: mvn -q -DskipTests package" >&2; exit 2; }
[[ -f "$TOOL" ]] || { echo "no $TOOL: mvn -q -f bench/pom.xml package" >&2; exit 2; }
OUT="${OUT:-$(mktemp -d /tmp/scaleout.XXXXXX)}"
mkdir -p "$OUT"
RUN="s$(date +%s)"
say() { printf '%6.1fs %s\n' "$(elapsed)" "$*" >&2; }
T0=$(date +%s.%N)
elapsed() { echo "$(date +%s.%N) - $T0" | bc; }
now() { date +%s.%N; }

PIDS=()
TOOL_PID=""
cleanup() {
  set +e
  [[ -n "$TOOL_PID" ]] && kill "$TOOL_PID" 2>/dev/null
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 1 60); do
    alive=0
    for pid in "${PIDS[@]}" $TOOL_PID; do kill -0 "$pid" 2>/dev/null && alive=1; done
    (( alive == 0 )) && break
    sleep 0.5
  done
  for pid in "${PIDS[@]}" $TOOL_PID; do kill -KILL "$pid" 2>/dev/null; done
}
trap cleanup EXIT INT TERM

port() { echo $((BASE_PORT + $1)); }
start_node() {
  local i=$1
  # shellcheck disable=SC2086
  java $JVM_OPTS -jar "$JAR" --server.port="$(port "$i")" --gateway.broker=rabbitmq \
    --gateway.node-id="$RUN-$i" --spring.rabbitmq.host=127.0.0.1 --gateway.drain.period=2s $GATEWAY_ARGS \
    >"$OUT/node-$i.log" 2>&1 &
  PIDS+=($!)
}
ready() { curl -fs -o /dev/null "http://127.0.0.1:$(port "$1")/actuator/health/readiness"; }
await_ready() {
  for _ in $(seq 1 240); do ready "$1" && return 0; sleep 0.5; done
  echo "node $1 not ready in 120 s; see $OUT/node-$1.log" >&2; exit 1
}
metric() { # node, metric name: the value of its one series, or 0
  curl -fs "http://127.0.0.1:$(port "$1")/actuator/prometheus" 2>/dev/null \
    | awk -v m="$2" '$1 ~ "^"m"\\{" {v=$2} END {print (v == "" ? 0 : v) + 0}'
}
sessions_of() { local s=(); for i in $(seq 0 $((AFTER - 1))); do s+=("$(metric "$i" stomp_sessions_active)"); done; echo "${s[*]}"; }
closes_total() { local t=0; for i in $(seq 0 $((AFTER - 1))); do t=$((t + $(metric "$i" stomp_rebalance_closes_total | cut -d. -f1))); done; echo $t; }
within_band() { # sessions...: 1 when every node holds at most (1 + tolerance) x mean or less than 10 above it
  echo "$@" | awk -v tol="$TOLERANCE" '{ n = NF; t = 0; for (i = 1; i <= n; i++) t += $i; m = t / n; ok = 1;
    for (i = 1; i <= n; i++) if ($i > (1 + tol) * m && $i - m >= 10) ok = 0; print ok }'
}

say "starting $BEFORE nodes (ports $(port 0)..$(port $((BEFORE - 1)))), logs in $OUT"
for i in $(seq 0 $((BEFORE - 1))); do start_node "$i"; done
for i in $(seq 0 $((BEFORE - 1))); do await_ready "$i"; done

URLS=""
for i in $(seq 0 $((AFTER - 1))); do URLS+="${URLS:+,}ws://127.0.0.1:$(port "$i")/ws"; done
HOLD=$((MAX_WAIT + QUIET + 120))
say "load tool: $CONNECTIONS connections over the live nodes, held up to ${HOLD}s"
java -Xmx1g -XX:+UseParallelGC -jar "$TOOL" connections --url "$URLS" --connections "$CONNECTIONS" --batch 250 \
  --live-path /actuator/health/readiness --reconnect-on rebalancing --balance "$BALANCE" --hold "$HOLD" --drain 1 \
  --label "scaleout-$BEFORE-$AFTER-$BALANCE" --json-out "$OUT/tool.jsonl" --until-file "$OUT/stop" \
  >"$OUT/tool.out" 2>"$OUT/tool.err" &
TOOL_PID=$!
for _ in $(seq 1 600); do
  total=0; for s in $(sessions_of); do total=$((total + ${s%.*})); done
  (( total >= CONNECTIONS )) && break
  kill -0 "$TOOL_PID" 2>/dev/null || { echo "load tool ended early; see $OUT/tool.err" >&2; exit 1; }
  sleep 0.5
done
say "all $CONNECTIONS open: $(sessions_of); 10 s with $BEFORE nodes"
sleep 10
CLOSES_BEFORE=$(closes_total)
say "rebalancing closes before the scale-out: $CLOSES_BEFORE; starting nodes $BEFORE..$((AFTER - 1))"
T_START=$(now)
for i in $(seq "$BEFORE" $((AFTER - 1))); do start_node "$i"; done
for i in $(seq "$BEFORE" $((AFTER - 1))); do await_ready "$i"; done
T_READY=$(now)
say "new nodes ready after $(echo "$T_READY - $T_START" | bc) s; watching"

last_total=$CLOSES_BEFORE; t_last_close=""; t_band=""
while :; do
  sleep 0.5
  t=$(now)
  total=$(closes_total)
  if (( total != last_total )); then last_total=$total; t_last_close=$t; fi
  read -r -a s <<<"$(sessions_of)"
  if [[ -z "$t_band" && "$(within_band "${s[@]}")" == 1 ]]; then
    sum=0; for x in "${s[@]}"; do sum=$((sum + ${x%.*})); done
    # every client placed (a few may be between two nodes)
    (( sum * 100 >= CONNECTIONS * 99 )) && t_band=$t && say "every node within the band: ${s[*]}"
  fi
  since=$(echo "$t - ${t_last_close:-$T_READY}" | bc)
  if (( $(echo "$since >= $QUIET" | bc) )); then break; fi
  if (( $(echo "$t - $T_READY >= $MAX_WAIT" | bc) )); then say "still moving after ${MAX_WAIT}s"; break; fi
done
FINAL="$(sessions_of)"
CLOSES=$((last_total - CLOSES_BEFORE))
SETTLED=$( [[ -n "$t_last_close" ]] && echo "$t_last_close - $T_READY" | bc || echo 0)
BAND=$( [[ -n "$t_band" ]] && echo "$t_band - $T_READY" | bc || echo -1)
say "settled: last close $SETTLED s after the new nodes were ready; $CLOSES closed; sessions now $FINAL"
touch "$OUT/stop" # the tool ends its hold, closes its connections and writes its result line
for _ in $(seq 1 120); do kill -0 "$TOOL_PID" 2>/dev/null || break; sleep 0.5; done
TOOL_PID=""
TOOL_LINE="$(tail -1 "$OUT/tool.jsonl" 2>/dev/null || echo '{}')"
# The excess: what the new nodes would hold with an even split.
EXCESS=$(echo "$CONNECTIONS * ($AFTER - $BEFORE) / $AFTER" | bc -l)
jq -cn --argjson tool "$TOOL_LINE" --arg final "$FINAL" \
  --argjson before "$BEFORE" --argjson after "$AFTER" --argjson n "$CONNECTIONS" \
  --argjson ready "$(echo "$T_READY - $T_START" | bc)" --argjson settled "$SETTLED" --argjson band "$BAND" \
  --argjson closed "$CLOSES" --argjson excess "$EXCESS" --argjson early "$CLOSES_BEFORE" \
  --arg balance "$BALANCE" \
  '{before: $before, after: $after, connections: $n, balance: $balance, new_nodes_ready_s: $ready,
    last_close_after_ready_s: $settled, within_band_after_ready_s: $band, closed: $closed,
    even_split_excess: ($excess | floor), closed_per_excess: (($closed / $excess * 100 | round) / 100),
    sessions_per_node: $final, closes_before_scale_out: $early,
    tool_reconnects: $tool.reconnects, tool_reconnects_failed: $tool.reconnects_failed,
    tool_reconnect_p50_ms: $tool.reconnect_p50_ms, tool_reconnect_p99_ms: $tool.reconnect_p99_ms,
    tool_connections_failed: $tool.connections_failed, tool_dropped: $tool.dropped_while_holding,
    tool_sessions_per_node: $tool.sessions_per_node, tool_errors: $tool.errors}'
