# shellcheck shell=bash
# Shared by bench/compare.sh, bench/nodequeue.sh, bench/history.sh and bench/latency.sh (sourced, never run): one copy of
# what every interleaved run needs, so that the scripts start, wait for, measure and stop their
# processes alike and a fix to one of these steps reaches all of them.
#
# The scripts set, before calling these: OUT, LOG_FILE (the run's log), DEADLINE (epoch seconds),
# TOOL_JAR, TOOL_OPTS, RESULTS; for measured_tool also TOOL_FIELDS (the result fields it logs,
# space-separated); for start_gateway_nodes JVM_OPTS and GATEWAY_ARGS; for fanout_and_latency SCENARIOS,
# PACES, SUBSCRIBERS, BODY, WINDOW, WARMUP, DURATION, RATE. A script may define on_stop_started, run by stop_started once its processes
# are gone (history.sh deletes its streams there). Traffic goes to 127.0.0.1 only.

# processes this run started (servers) and the tool run and load sampler in flight
STARTED=()
TOOL_PID=""
LOAD_PID=""

# ---------------------------------------------------------------- settings
# The defaults every interleaved gateway run starts from (nodequeue.sh, history.sh), so that their
# figures stay comparable: per run, SUBSCRIBERS over the nodes, BODY bytes, WINDOW SENDs in flight,
# WARMUP + DURATION s, RATE msg/s; each of PACES; MAX_MINUTES in all.
interleaved_defaults() {
  ROUNDS=3
  SUBSCRIBERS=1000
  BODY=100
  WINDOW=200
  WARMUP=5
  DURATION=10
  RATE=1000
  MAX_MINUTES=40
  OUT=""
  PACES="receipt echo"
  JVM_OPTS="${BENCH_JVM_OPTS:--Xmx1g}"
  TOOL_OPTS="${BENCH_TOOL_OPTS:--Xmx1g -XX:+UseParallelGC}"
  GATEWAY_ARGS="${BENCH_GATEWAY_ARGS:---gateway.drain.period=2s}"
  PORT_GW1=18081; PORT_GW2=18082
}
# option value: an option every interleaved run takes (--rounds, --configs, --scenarios, --subscribers,
# --out, --max-minutes), its variable set; returns 1 for any other option
interleaved_option() {
  case "$1" in
    --rounds) ROUNDS="$2" ;;
    --configs) CONFIGS="$2" ;;
    --subscribers) SUBSCRIBERS="$2" ;;
    --out) OUT="$2" ;;
    --max-minutes) MAX_MINUTES="$2" ;;
    --scenarios) SCENARIOS="$2" ;;
    *) return 1 ;;
  esac
}
# default-dir: OUT (unless --out named one, default-dir) created; RESULTS, DEADLINE, GW_JAR and TOOL_JAR set
init_run_dir() {
  OUT="${OUT:-$1}"
  mkdir -p "$OUT"
  RESULTS="$OUT/results.jsonl"
  DEADLINE=$(( $(date +%s) + MAX_MINUTES * 60 ))
  GW_JAR="$ROOT/target/stompgate-0.1.0-SNAPSHOT.jar"
  TOOL_JAR="$HERE/loadtool/target/loadtool.jar"
}

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$LOG_FILE" >&2; }

# ---------------------------------------------------------------- cleanup (also on Ctrl-C)
# Stops the tool run and every started process by its pid: TERM, up to 30 s each, then KILL.
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
  if declare -F on_stop_started >/dev/null; then on_stop_started; fi
}
stop_all() {
  stop_started
  if [[ -n "$LOAD_PID" ]] && kill -0 "$LOAD_PID" 2>/dev/null; then kill "$LOAD_PID" 2>/dev/null || true; fi
  LOAD_PID=""
}
trap_cleanup() { # function: run on exit, and on Ctrl-C/TERM (then exit 130)
  # shellcheck disable=SC2064
  trap "$1" EXIT
  # shellcheck disable=SC2064
  trap "log \"interrupted\"; $1; exit 130" INT TERM
}
time_left() { (( $(date +%s) < DEADLINE )); }

# ---------------------------------------------------------------- machine
require_rabbitmq() {
  rabbitmq-diagnostics -q ping >/dev/null 2>&1 || { echo "RabbitMQ is not running on this machine" >&2; exit 1; }
}
# BEAM: the RabbitMQ process listening on 5672, or exit 1
require_rabbitmq_listener() {
  require_rabbitmq
  BEAM="$(rabbitmq_listener_pid)"
  [[ -n "$BEAM" ]] || { echo "cannot find the RabbitMQ process listening on 5672" >&2; exit 1; }
}
describe_rabbitmq_listener() {
  echo "rabbitmq: $(rabbitmqctl -q version 2>/dev/null) (pid $BEAM on 5672); other beam.smp: $(pgrep -x beam.smp | grep -vx "$BEAM" | tr '\n' ' ')"
}
# the beam.smp that listens on 5672 (other RabbitMQ nodes may be running for other work); empty if none
rabbitmq_listener_pid() {
  local pid
  pid="$(ss -ltnpH 'sport = :5672' 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)"
  [[ -n "$pid" ]] || pid="$(pgrep -u rabbitmq -x beam.smp | head -1 || true)"
  echo "$pid"
}
describe_machine() {
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
  echo "java: $(java -version 2>&1 | head -1)"
}
start_load_sampler() { # load average every 5 s into $OUT/load.txt, until stop_all
  ( while :; do echo "$(date +%H:%M:%S) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 5; done ) >"$OUT/load.txt" 2>/dev/null &
  LOAD_PID=$!
}
# the end of a sampled run: load after (machine.txt), everything stopped, load1 min/median/max
finish_load_report() {
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt" >&2
  stop_all
  awk '{print $2}' "$OUT/load.txt" | sort -n | awk '{v[NR]=$1} END { if (NR) printf "load1 during the run: min %s, median %s, max %s (%d samples, every 5 s)\n", v[1], v[int((NR+1)/2)], v[NR], NR }' \
    | tee -a "$OUT/machine.txt" >&2
}
cpu_busy_ticks() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }

# ---------------------------------------------------------------- servers
wait_http() { # url timeout-seconds: any HTTP answer
  local url="$1" t="$2"
  for _ in $(seq 1 $(( t * 5 ))); do
    curl -s -o /dev/null -m 1 "$url" && return 0
    sleep 0.2
  done
  return 1
}
wait_ready() { # port [timeout-seconds, default 90]: gateway readiness
  local port="$1" t="${2:-90}"
  for _ in $(seq 1 $(( t * 5 ))); do
    [[ "$(curl -s -m 1 "http://127.0.0.1:$port/actuator/health/readiness" || true)" == *'"UP"'* ]] && return 0
    sleep 0.2
  done
  return 1
}
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# cfg round jar mode node-id-prefix "gateway args" port...: one gateway node per port, logging to
# $OUT/<cfg>-<port>-r<round>.log, ready or return 1; sets SERVER_PIDS ("pid,pid,") and URLS
start_gateway_nodes() {
  local cfg="$1" round="$2" jar="$3" mode="$4" prefix="$5" args="$6" p
  shift 6
  SERVER_PIDS=""
  for p in "$@"; do
    port_free "$p" || { log "port $p is in use by another process"; return 1; }
  done
  for p in "$@"; do
    # a node id per configuration and round: no queue of an earlier run is taken over
    # shellcheck disable=SC2086
    java $JVM_OPTS -jar "$jar" --gateway.broker=$mode --server.port=$p \
      --gateway.node-id="$prefix-$cfg-r$round-$p" $args $GATEWAY_ARGS >"$OUT/$cfg-$p-r$round.log" 2>&1 &
    STARTED+=($!); SERVER_PIDS+="$!,"
  done
  URLS=""
  for p in "$@"; do
    wait_ready "$p" || { log "$cfg did not become ready (see $OUT/$cfg-*-r$round.log)"; return 1; }
    URLS+="${URLS:+,}ws://127.0.0.1:$p/ws"
  done
}
check_started() { # logs every started process that is gone
  local pid
  for pid in "${STARTED[@]}"; do
    kill -0 "$pid" 2>/dev/null || log "  WARNING: server process $pid is gone (see its log in $OUT)"
  done
}

# ---------------------------------------------------------------- tool runs
run_tool() { # loadtool arguments...: one run, output appended to $OUT/tool.out and tool.err
  # In the background and waited for, so that Ctrl-C/TERM reach the trap at once.
  # shellcheck disable=SC2086
  java $TOOL_OPTS -jar "$TOOL_JAR" "$@" >>"$OUT/tool.out" 2>>"$OUT/tool.err" &
  TOOL_PID=$!
  wait "$TOOL_PID" || log "  (run reported a failure; see $OUT/tool.err)"
  TOOL_PID=""
}
# label scenario args...: one bounded run (JSON line to $RESULTS), logged with the load average before and
# after, the machine's busy cores over the run (all processes, from /proc/stat) and the TOOL_FIELDS of its result
measured_tool() {
  local label="$1" scenario="$2"; shift 2
  time_left || { log "time budget spent: skipping $scenario for $label"; return 0; }
  local l0 c0 c1
  l0="$(cut -d' ' -f1 /proc/loadavg)"; c0="$(cpu_busy_ticks)"
  run_tool "$scenario" --label "$label" --identity query --json-out "$RESULTS" --max-time 300 "$@"
  c1="$(cpu_busy_ticks)"
  local line; line="$(tail -1 "$OUT/tool.out")"
  local busy
  busy="$(awk -v a="$c0" -v b="$c1" -v n="$(nproc)" 'BEGIN { split(a,x," "); split(b,y," ");
          t=(y[2]-x[2]); printf "%.2f", (t>0 ? (y[1]-x[1])/t*n : 0) }')"
  local fields="${TOOL_FIELDS// /\\|}"
  log "  $label $scenario: load1 $l0 -> $(cut -d' ' -f1 /proc/loadavg), machine busy $busy cores over the run; $(
       echo "$line" | grep -o '"\('"$fields"'\)":[^,}]*' | tr '\n' ' ')"
  echo "{\"label\":\"$label\",\"scenario\":\"$scenario\",\"load1_before\":$l0,\"load1_after\":$(cut -d' ' -f1 /proc/loadavg),\"machine_busy_cores\":$busy}" >>"$OUT/machine-runs.jsonl"
  check_started
}

# cfg topic: the SCENARIOS fanout (each of PACES, SUBSCRIBERS over URLS) and latency (RATE msg/s, publisher
# on the first node, subscriber on the last) on topic.fanout and topic.latency
fanout_and_latency() {
  local cfg="$1" topic="$2" pace
  [[ " $SCENARIOS " == *" fanout "* ]] && for pace in $PACES; do
    measured_tool "$cfg" fanout --url "$URLS" --subscribers "$SUBSCRIBERS" --body-bytes "$BODY" --window "$WINDOW" \
      --pace "$pace" --warmup "$WARMUP" --duration "$DURATION" --topic "$topic.fanout" --server-pid "$SERVER_PIDS"
  done
  [[ " $SCENARIOS " == *" latency "* ]] && measured_tool "$cfg" latency --url "$URLS" --rate "$RATE" --subscribers 1 --body-bytes "$BODY" \
    --warmup "$WARMUP" --duration "$DURATION" --topic "$topic.latency" --server-pid "$SERVER_PIDS"
  return 0
}

# ---------------------------------------------------------------- rounds
# Every configuration of CONFIGS in each of ROUNDS rounds, started fresh (start_config cfg round),
# measured (run_config cfg round) and stopped; the order rotates from round to round.
run_rotating_rounds() {
  local round n k cfg
  local -a cfgs
  read -r -a cfgs <<<"$CONFIGS"
  for round in $(seq 1 "$ROUNDS"); do
    n=${#cfgs[@]}
    for k in $(seq 0 $(( n - 1 ))); do
      cfg="${cfgs[$(( (k + round - 1) % n ))]}"     # the order rotates from round to round
      time_left || break 2
      log "round $round/$ROUNDS: $cfg (load $(cut -d' ' -f1-3 /proc/loadavg))"
      if start_config "$cfg" "$round"; then
        run_config "$cfg" "$round" || true
      fi
      stop_started
      sleep 2
    done
  done
}
