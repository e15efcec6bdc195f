#!/usr/bin/env bash
# 100,000 connections, measured (issue #17 §1). One step per call, each bounded, so that each can run
# under the bench lock on its own:
#
#   cluster  --nodes (6) gateway nodes in rabbitmq mode on 127.0.0.1:18301.. (own node ids), one
#            RabbitMQ, --per-node (17,000) subscribed connections each (102,000): the load tool forked
#            over processes of < 20,000 sockets each (--fork, default total/15,000 rounded up), client
#            sockets over --source-addresses (8) 127.0.0.x, --users (3,000) distinct users (user i mod 3,000,
#            so each user holds 34 sessions on one node: a node binds each user's routing key at RabbitMQ
#            once, one queue.bind each, and RabbitMQ takes only ~110 binds/s here, see docs), --batch (60)
#            connections at a time per tool process (so that no bind waits past the gateway's 5 s). Every session heart-beats both ways every
#            10 s (the tool asks 10000,10000; the gateway's default offer is 10000,10000). Measures:
#            connect rate; RSS per connection per node (idle started node -> all subscribed, no GC
#            forced); live heap per connection per node (jcmd GC.run + GC.heap_info with everything
#            subscribed, minus the same once every connection has closed); idle CPU of nodes and
#            RabbitMQ over --idle (30 s); one broadcast reaching every connection (SEND to last
#            arrival, p50/p99 of arrivals); RabbitMQ's cost for it (beam.smp CPU around it, and
#            publish_in/publish_out on the stomp.topic exchange from the management API).
#   memory   one node, rabbitmq mode, the JVM settings the image and manifests ship (derived from
#            docker/Dockerfile's ENTRYPOINT and k8s/deployment.yaml's memory limit, see
#            shipped_jvm_opts), --connections (18,000) subscribed heart-beating connections: RSS per
#            connection as an operator sees it (idle started node -> all subscribed, held 30 s, no GC
#            forced, no warm-up connections); then, with everything still subscribed, a full GC: live
#            heap per connection (minus the same once all closed) and RSS after a forced full GC, for
#            comparison. One user per connection. MEMORY_JVM_OPTS overrides the settings (e.g. G1).
#   rss5k    why compare.sh said 3.0 KB per connection at 5,000 and an outside measurement 10.7 KB:
#            --rounds (2) rounds of (a) compare.sh's stompgate step as it was (2 nodes, rabbitmq, -Xmx1g,
#            500 warm-up connections, --server-gc, RabbitMQ's RSS in the sum) and (b) the outside way
#            (one node, local mode, -Xmx1g, no warm-up, no GC forced), both with per-process RSS.
#
# Traffic goes to 127.0.0.1 only; everything started is stopped (by pid) on exit or Ctrl-C.
#
# usage: flock /work/notes/bench.lock bench/hundredk.sh --step cluster|memory|rss5k [--nodes 6] [--per-node 17000]
#            [--connections 18000] [--idle 30] [--rounds 2] [--fork k] [--source-addresses 8] [--users 3000] [--batch 60]
#            [--out DIR] [--skip-build]
# needs: target/stompgate-*.jar and bench/loadtool/target/loadtool.jar (built unless --skip-build),
#        RabbitMQ on 127.0.0.1:5672 (guest/guest) with the management plugin on 15672, curl, jcmd.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

STEP=""
NODES=6
PER_NODE=17000
MEM_CONN=18000
IDLE=30
ROUNDS=2
FORK=0
SOURCES=8
OUT=""
SKIP_BUILD=0
BASE_PORT=18301
HEART_BEAT="10000,10000"
USERS=3000        # cluster: distinct users over the connections (each user bound once per node it is on)
BATCH=60          # cluster: connections each tool process opens at a time
MAX_MINUTES=15
while [[ $# -gt 0 ]]; do
  case "$1" in
    --step) STEP="$2"; shift ;;
    --nodes) NODES="$2"; shift ;;
    --per-node) PER_NODE="$2"; shift ;;
    --connections) MEM_CONN="$2"; shift ;;
    --idle) IDLE="$2"; shift ;;
    --users) USERS="$2"; shift ;;
    --batch) BATCH="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --fork) FORK="$2"; shift ;;
    --source-addresses) SOURCES="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --skip-build) SKIP_BUILD=1 ;;
    -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ "$STEP" =~ ^(cluster|memory|rss5k)$ ]] || { echo "--step cluster|memory|rss5k" >&2; exit 2; }
(( NODES >= 1 && NODES <= 8 && PER_NODE >= 1 && PER_NODE <= 19000 )) || { echo "--nodes 1..8, --per-node 1..19000" >&2; exit 2; }
(( MEM_CONN >= 1 && MEM_CONN <= 19000 && IDLE >= 5 && IDLE <= 120 && ROUNDS >= 1 && ROUNDS <= 5 )) || { echo "bad bounds" >&2; exit 2; }

STAMP="$(date +%Y%m%d-%H%M%S)"
init_run_dir "$HERE/results/hundredk-$STEP-$STAMP"
LOG_FILE="$OUT/hundredk.log"
TOOL_OPTS="-Xmx1g -XX:+UseParallelGC"
trap_cleanup stop_all
require_rabbitmq_listener

if [[ $SKIP_BUILD == 0 ]]; then
  log "building the gateway and the load tool"
  (cd "$ROOT" && mvn -q -B package -DskipTests) >"$OUT/build.log" 2>&1
  (cd "$ROOT" && mvn -q -B -f bench/pom.xml package -DskipTests) >>"$OUT/build.log" 2>&1
fi
for j in "$GW_JAR" "$TOOL_JAR"; do [[ -f "$j" ]] || { echo "missing $j" >&2; exit 1; }; done

# The JVM flags a container of the shipped image gets under the shipped Deployment: the
# ENTRYPOINT's flags, -XX:MaxRAM = the container memory limit (what the JVM reads from its cgroup),
# and the collector the JVM picks itself there when the ENTRYPOINT names none: below 1,792 MiB of
# memory (2 GiB less 256 MiB, os::is_server_class_machine) it is not a "server class machine" and
# takes SerialGC; on this host (23 GiB) it would take G1, so that choice is made explicit here.
shipped_jvm_opts() {
  local flags limit mib
  flags="$(grep '^ENTRYPOINT' "$ROOT/docker/Dockerfile" | grep -o '"-[^"]*"' | tr -d '"' | tr '\n' ' ')"
  limit="$(awk '/limits:/ {l = 1} l && /memory:/ {print $2; exit}' "$ROOT/k8s/deployment.yaml")"
  case "$limit" in
    *Gi) mib=$(( ${limit%Gi} * 1024 )) ;;
    *Mi) mib=${limit%Mi} ;;
    *) echo "cannot read the memory limit of k8s/deployment.yaml ($limit)" >&2; exit 1 ;;
  esac
  local opts="-XX:MaxRAM=${mib}m $flags"
  if [[ "$flags" != *"-XX:+Use"*"GC"* ]]; then
    (( mib < 1792 )) && opts+=" -XX:+UseSerialGC" || opts+=" -XX:+UseG1GC"
  fi
  echo "$opts"
}
SHIPPED="$(shipped_jvm_opts)"

{
  describe_machine
  describe_rabbitmq_listener
  echo "step $STEP; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "shipped JVM settings (emulated): $SHIPPED"
} | tee "$OUT/machine.txt" >&2
start_load_sampler

# ---------------------------------------------------------------- helpers
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo -1; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }  # utime + stime (comm has no spaces here)
sum_ticks() { local t=0 p; for p in "$@"; do t=$(( t + $(cpu_ticks "$p") )); done; echo $t; }
heap_used_kb() { # pid: used heap after a full GC (jcmd), KB
  jcmd "$1" GC.run >/dev/null 2>&1 || true
  jcmd "$1" GC.heap_info 2>/dev/null | grep -v -i 'metaspace\|class space' | grep -o 'used [0-9]*K' | tr -dc '0-9\n' | awk '{s += $1} END {print s + 0}'
}
sessions() { # port: stomp_sessions_active of that node
  curl -fs -m 2 "http://127.0.0.1:$1/actuator/prometheus" 2>/dev/null | awk '$1 ~ /^stomp_sessions_active/ {v = $2} END {print (v == "" ? 0 : v) + 0}'
}
exchange_stats() { # publish_in publish_out of stomp.topic (cumulative, management API)
  curl -fs -m 5 -u guest:guest "http://127.0.0.1:15672/api/exchanges/%2F/stomp.topic" 2>/dev/null \
    | python3 -c 'import json,sys; s=json.load(sys.stdin).get("message_stats",{}); print(s.get("publish_in",0), s.get("publish_out",0))' 2>/dev/null || echo "0 0"
}
# Cluster membership of this run's nodes only: gateway nodes of other runs on the same RabbitMQ would
# otherwise count as members, and the nodes here would rebalance sessions towards a lower mean (it
# happened: 7,766 sessions closed with ERROR rebalancing, the mean taken over 8 nodes). The exchange
# is deleted again once the nodes are stopped.
CLUSTER_X="stomp.cluster.hundredk-$STAMP"
on_stop_started() {
  curl -fs -o /dev/null -m 5 -u guest:guest -X DELETE "http://127.0.0.1:15672/api/exchanges/%2F/$CLUSTER_X" 2>/dev/null || true
}
start_node() { # port node-id mode jvm-opts: a gateway node; its pid in NODE_PID
  local port="$1" id="$2" mode="$3" opts="$4"
  port_free "$port" || { log "port $port is in use"; return 1; }
  # shellcheck disable=SC2086
  java $opts -jar "$GW_JAR" --gateway.broker="$mode" --server.port="$port" --gateway.node-id="$id" \
    --gateway.rabbitmq.cluster-exchange="$CLUSTER_X" --gateway.drain.period=2s >"$OUT/node-$port-$id.log" 2>&1 &
  STARTED+=($!)
  NODE_PID=$!
}
json_field() { grep -o "\"$2\":[^,}]*" "$1" | tail -1 | cut -d: -f2- | tr -d '"'; }

# ---------------------------------------------------------------- cluster
step_cluster() {
  local total=$(( NODES * PER_NODE )) i port urls="" pids=() ports=()
  (( FORK > 0 )) || FORK=$(( (total + 14999) / 15000 ))
  (( FORK >= 2 )) || FORK=2   # the script waits for the forked parent's "all k shards ready"
  (( (total + FORK - 1) / FORK < 19500 )) || { log "--fork $FORK leaves more than 19,500 sockets per tool process"; exit 2; }
  local run="h100k-$STAMP"
  log "starting $NODES nodes (rabbitmq mode, $SHIPPED) on ports $BASE_PORT..$(( BASE_PORT + NODES - 1 ))"
  for i in $(seq 0 $(( NODES - 1 ))); do
    port=$(( BASE_PORT + i ))
    start_node "$port" "$run-$i" rabbitmq "$SHIPPED"
    pids+=("$NODE_PID"); ports+=("$port"); urls+="${urls:+,}ws://127.0.0.1:$port/ws"
  done
  for port in "${ports[@]}"; do wait_ready "$port" 120 || { log "node $port not ready"; exit 1; }; done
  sleep 10
  local rss0=() p
  for p in "${pids[@]}"; do rss0+=("$(rss_kb "$p")"); done
  log "idle started nodes: RSS ${rss0[*]} KB (beam.smp $(rss_kb "$BEAM") KB)"
  # warm-up = the idle measurement and the heap sample before the broadcast window; the broadcast goes
  # out in the middle of the 20 s hold window
  local warm=$(( 20 + IDLE + 25 ))
  log "load tool: $total connections (--fork $FORK, --source-addresses $SOURCES, --heart-beat $HEART_BEAT, --distinct-users $USERS, --batch $BATCH), hold ${warm}s + 20s, 1 broadcast"
  local pidlist; pidlist="$(IFS=,; echo "${pids[*]}"),$BEAM"
  java $TOOL_OPTS -jar "$TOOL_JAR" connections --url "$urls" --connections "$total" --fork "$FORK" \
    --fork-jvm-opts "-Xmx640m -XX:+UseParallelGC" --source-addresses "$SOURCES" --heart-beat "$HEART_BEAT" \
    --distinct-users "$USERS" --batch "$BATCH" \
    --warmup "$warm" --duration 20 --broadcasts 1 --topic /topic/h100k.all --server-pid "$pidlist" \
    --label "hundredk-$NODES-x-$PER_NODE" --json-out "$RESULTS" --max-time 900 >"$OUT/tool.out" 2>"$OUT/tool.err" &
  TOOL_PID=$!
  local t_ready=""
  for _ in $(seq 1 1800); do
    grep -q "all $FORK shards ready" "$OUT/tool.err" 2>/dev/null && { t_ready=$(date +%s.%N); break; }
    kill -0 "$TOOL_PID" 2>/dev/null || { log "the tool ended early (see $OUT/tool.err)"; exit 1; }
    sleep 0.5
  done
  [[ -n "$t_ready" ]] || { log "shards not ready in 15 minutes"; exit 1; }
  local s=() n=0
  for port in "${ports[@]}"; do s+=("$(sessions "$port")"); n=$(( n + ${s[-1]%.*} )); done
  log "all shards ready: sessions per node ${s[*]} (total $n); settling 10 s"
  sleep 10
  # RSS as an operator sees it, everything subscribed and heart-beating, nothing forced
  local rss1=() line=""
  for i in "${!pids[@]}"; do
    rss1+=("$(rss_kb "${pids[$i]}")")
    line+=" node$i: $(( (rss1[i] - rss0[i]) / 1024 )) MB / ${s[$i]%.*} = $(awk -v a="${rss0[$i]}" -v b="${rss1[$i]}" -v c="${s[$i]}" 'BEGIN {printf "%.2f", (b - a) / c}') KB;"
  done
  log "RSS growth per connection (idle started node -> all subscribed, no GC forced):$line"
  echo "{\"what\":\"rss\",\"rss_idle_kb\":\"${rss0[*]}\",\"rss_loaded_kb\":\"${rss1[*]}\",\"sessions\":\"${s[*]}\",\"beam_rss_kb\":$(rss_kb "$BEAM")}" >>"$OUT/cluster.jsonl"
  # idle CPU: nodes and RabbitMQ, all sessions heart-beating (the tool's own processes apart)
  local tool_pids; tool_pids="$(pgrep -P "$TOOL_PID" | tr '\n' ' ') $TOOL_PID"
  local n0 b0 t0 c0 n1 b1 t1 c1
  n0=$(sum_ticks "${pids[@]}"); b0=$(cpu_ticks "$BEAM"); t0=$(sum_ticks $tool_pids); c0="$(cpu_busy_ticks)"
  sleep "$IDLE"
  n1=$(sum_ticks "${pids[@]}"); b1=$(cpu_ticks "$BEAM"); t1=$(sum_ticks $tool_pids); c1="$(cpu_busy_ticks)"
  local idle_line
  idle_line="$(awk -v n=$(( n1 - n0 )) -v b=$(( b1 - b0 )) -v t=$(( t1 - t0 )) -v s="$IDLE" -v tot="$n" -v a="$c0" -v z="$c1" -v cores="$(nproc)" 'BEGIN {
      split(a, x, " "); split(z, y, " "); m = (y[1] - x[1]) / (y[2] - x[2]) * cores;
      printf "nodes %.3f cores (%.1f ms CPU per 1,000 sessions per s), RabbitMQ %.3f cores, load tool %.3f cores, machine %.2f cores busy",
        n / 100 / s, n * 10 / s / (tot / 1000), b / 100 / s, t / 100 / s, m }')"
  log "idle ${IDLE}s, $n sessions heart-beating both ways every 10 s: $idle_line"
  echo "{\"what\":\"idle\",\"seconds\":$IDLE,\"nodes_cpu_s\":$(awk -v n=$(( n1 - n0 )) 'BEGIN {print n / 100}'),\"beam_cpu_s\":$(awk -v b=$(( b1 - b0 )) 'BEGIN {print b / 100}'),\"tool_cpu_s\":$(awk -v t=$(( t1 - t0 )) 'BEGIN {print t / 100}')}" >>"$OUT/cluster.jsonl"
  # live heap with everything subscribed (full GC on each node, one at a time)
  local heap1=()
  for p in "${pids[@]}"; do heap1+=("$(heap_used_kb "$p")"); done
  log "used heap after a full GC, all subscribed: ${heap1[*]} KB"
  # the broadcast: management counters before, beam CPU around it (from 4 s before to 8 s after)
  local before_stats after_stats bb0 bb1 tb0 tb1
  local t_bcast; t_bcast=$(awk -v r="$t_ready" -v w="$warm" 'BEGIN {printf "%.3f", r + w + 10}')
  before_stats="$(exchange_stats)"
  while (( $(awk -v t="$t_bcast" -v now="$(date +%s.%N)" 'BEGIN {print (now < t - 4)}') )); do sleep 0.2; done
  bb0=$(cpu_ticks "$BEAM"); tb0=$(date +%s.%N)
  while (( $(awk -v t="$t_bcast" -v now="$(date +%s.%N)" 'BEGIN {print (now < t + 8)}') )); do sleep 0.2; done
  bb1=$(cpu_ticks "$BEAM"); tb1=$(date +%s.%N)
  log "beam.smp CPU over the 12 s around the broadcast: $(awk -v b=$(( bb1 - bb0 )) 'BEGIN {print b * 10}') ms (idle rate: $(awk -v b=$(( b1 - b0 )) -v s="$IDLE" 'BEGIN {printf "%.0f", b * 10 / s * 12}') ms per 12 s)"
  wait "$TOOL_PID" || log "the tool reported a failure (see $OUT/tool.err)"
  TOOL_PID=""
  # stats are emitted every 5 s, later on a loaded machine: wait (up to 60 s) for publish_in to move
  for _ in $(seq 1 30); do
    sleep 2
    after_stats="$(exchange_stats)"
    [[ "${after_stats%% *}" != "${before_stats%% *}" ]] && break
  done
  log "stomp.topic publish_in/publish_out: $before_stats -> $after_stats"
  echo "{\"what\":\"broadcast_rabbitmq\",\"stats_before\":\"$before_stats\",\"stats_after\":\"$after_stats\",\"beam_cpu_ms_12s\":$(( (bb1 - bb0) * 10 )),\"beam_idle_cpu_ms_per_12s\":$(awk -v b=$(( b1 - b0 )) -v s="$IDLE" 'BEGIN {printf "%.0f", b * 10 / s * 12}')}" >>"$OUT/cluster.jsonl"
  # baseline heap: every connection closed
  sleep 5
  local heap0=() hline=""
  for p in "${pids[@]}"; do heap0+=("$(heap_used_kb "$p")"); done
  for i in "${!pids[@]}"; do
    hline+=" node$i: $(awk -v a="${heap0[$i]}" -v b="${heap1[$i]}" -v c="${s[$i]}" 'BEGIN {printf "%.2f", (b - a) / c}') KB;"
  done
  log "live heap per connection (all subscribed minus all closed, both after a full GC):$hline"
  echo "{\"what\":\"heap\",\"heap_loaded_kb\":\"${heap1[*]}\",\"heap_closed_kb\":\"${heap0[*]}\",\"sessions\":\"${s[*]}\"}" >>"$OUT/cluster.jsonl"
  log "tool: $(grep -o '"\(connections_ok\|connections_failed\|dropped_while_holding\|setup_wall_s\|open_s\|connect_rate_per_s\|connect_p50_ms\|connect_p99_ms\|heart_beats_sent\|broadcasts_sent\|broadcast_expected\|broadcast_received\|broadcast_lost\|broadcast_p50_ms\|broadcast_p90_ms\|broadcast_p99_ms\|broadcast_max_ms\|server_cores\|tool_cores\|tool_rss_kb\|errors\)":[^,]*' "$OUT/tool.out" | tail -21 | tr '\n' ' ')"
}

# ---------------------------------------------------------------- memory
step_memory() {
  local opts="${MEMORY_JVM_OPTS:-$SHIPPED}" port=$BASE_PORT
  local fork=$(( (MEM_CONN + 14999) / 15000 + 1 ))
  start_node "$port" "h100k-mem-$STAMP" rabbitmq "$opts"
  wait_ready "$port" 120 || { log "node not ready"; exit 1; }
  sleep 10
  # --server-gc forces no GC before an RSS sample that counts: RSS before = the idle started node, RSS
  # after = all subscribed after the 30 s hold; then a full GC and the used heap, and again once all
  # have closed (live heap per connection). One user per connection (each bound at RabbitMQ): batches
  # of 100 per process keep the binds within the gateway's 5 s.
  log "memory: one node, $opts, $MEM_CONN connections, one user each"
  run_tool connections --url "ws://127.0.0.1:$port/ws" --connections "$MEM_CONN" --fork "$fork" --source-addresses 2 \
    --batch 100 --heart-beat "$HEART_BEAT" --duration 30 --topic "/topic/h100k.mem" --server-pid "$NODE_PID" --server-gc \
    --label "memory" --json-out "$RESULTS" --max-time 500
  log "  $(tail -1 "$OUT/tool.out" | grep -o '"\(connections_ok\|connections_failed\|dropped_while_holding\|setup_wall_s\|connect_rate_per_s\|connect_p50_ms\|connect_p99_ms\|server_rss_kb_before\|server_rss_kb_after\|kb_per_connection\|server_rss_after_gc_kb_after\|server_heap_used_kb_after\|server_heap_used_kb_closed\|heap_kb_per_connection\|heart_beats_sent\|server_cores\)":[^,]*' | tr '\n' ' ')"
  jcmd "$NODE_PID" GC.heap_info >"$OUT/heap-info.txt" 2>&1 || true
  jcmd "$NODE_PID" VM.flags >"$OUT/vm-flags.txt" 2>&1 || true
  stop_started
}

# ---------------------------------------------------------------- rss5k
step_rss5k() {
  local r p1 p2 v args
  local fields='"\(kb_per_connection\|heap_kb_per_connection\|server_rss_kb_before\|server_rss_kb_after\|pid_[0-9]*_rss_kb[a-z_]*\)":[^,]*'
  for r in $(seq 1 "$ROUNDS"); do
    for v in compare-old compare-new outside; do
      case "$v" in
        # (a) compare.sh's stompgate step until #17: 2 nodes, rabbitmq, 500 warm-up connections, RabbitMQ's RSS in the sum
        compare-old) args=(--server-gc --warm-connections 500) ;;
        # (c) the same without warm-up connections (compare.sh since #17); RSS read before any forced GC
        compare-new) args=(--server-gc) ;;
      esac
      if [[ $v == outside ]]; then
        # (b) the outside measurement: one node, local mode, no warm-up, no GC forced
        start_node 18281 "h100k-5k-$STAMP-r$r-$v" local "-Xmx1g"; p1=$NODE_PID
        wait_ready 18281 120 || { log "node not ready"; exit 1; }
        sleep 3
        run_tool connections --url ws://127.0.0.1:18281/ws --connections 5000 --duration 10 --topic "/topic/h100k.5k.$v.r$r" \
          --server-pid "$p1" --label "$v-r$r" --json-out "$RESULTS" --max-time 300
      else
        start_node 18281 "h100k-5k-$STAMP-r$r-$v-a" rabbitmq "-Xmx1g"; p1=$NODE_PID
        start_node 18282 "h100k-5k-$STAMP-r$r-$v-b" rabbitmq "-Xmx1g"; p2=$NODE_PID
        wait_ready 18281 120 && wait_ready 18282 120 || { log "nodes not ready"; exit 1; }
        run_tool connections --url ws://127.0.0.1:18281/ws,ws://127.0.0.1:18282/ws --connections 5000 --duration 10 \
          --topic "/topic/h100k.5k.$v.r$r" --server-pid "$p1,$p2,$BEAM" "${args[@]}" \
          --label "$v-r$r" --json-out "$RESULTS" --max-time 300
      fi
      log "  $v, round $r: $(tail -1 "$OUT/tool.out" | grep -o "$fields" | tr '\n' ' ')"
      stop_started; sleep 3
    done
  done
}

"step_$STEP"
finish_load_report
log "results: $OUT"
