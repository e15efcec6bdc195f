#!/usr/bin/env bash
# A three-node RabbitMQ cluster on this machine, for tests that need a real
# cluster (io.stompgate.wire.resilience.RabbitClusterFailoverTest, through
# io.stompgate.testing.RabbitCluster). It runs the installed server (Debian's
# rabbitmq-server) three more times beside the machine's own broker, which it
# never touches: own node names, ports, data and log dirs, Erlang cookie and
# configuration files (the system's /etc/rabbitmq files are not read).
#
#   node  name                   AMQP              distribution
#   1     stompgate-a@localhost  127.0.0.1:5681    127.0.0.1:25681
#   2     stompgate-b@localhost  127.0.0.1:5682    127.0.0.1:25682
#   3     stompgate-c@localhost  127.0.0.1:5683    127.0.0.1:25683
#
# Usage: rabbitmq-cluster.sh start | stop | stop-node N | kill-node N | start-node N | status
#                            | ctl N <rabbitmqctl arguments...>
#   start        stops leftovers, wipes the data, starts three fresh nodes and joins
#                nodes 2 and 3 to node 1 with `rabbitmqctl join_cluster`
#   stop         stops every node (SIGTERM, then SIGKILL after STOMPGATE_RMQ_STOP_TIMEOUT);
#                idempotent; keeps the logs for a look afterwards
#   stop-node N  stops node N gracefully (what `rabbitmqctl stop` does), bounded
#   kill-node N  kills node N (SIGKILL): a crash, no goodbye to clients or peers
#   start-node N starts node N again on its data; it rejoins the cluster
#   status       each node up or down, and the running nodes as node 1..3 see them
#   ctl N ...    rabbitmqctl against node N, e.g. `ctl 1 list_queues name leader`
#
# Environment: STOMPGATE_RMQ_BIN_DIR (default /usr/lib/rabbitmq/bin, where Debian keeps the
# real scripts; /usr/sbin/rabbitmq-server would switch to the rabbitmq user and its cookie),
# STOMPGATE_RMQ_CLUSTER_DIR (default /tmp/stompgate-rmq-cluster),
# STOMPGATE_RMQ_START_TIMEOUT (s, default 120), STOMPGATE_RMQ_STOP_TIMEOUT (s,
# default 30). Every wait is bounded and fails with a message saying what did
# not happen. The Erlang cookie is random per `start`, kept in the cluster dir
# (mode 0400), and given to the nodes and to this script's rabbitmqctl through
# HOME, so the system node's cookie (/var/lib/rabbitmq/.erlang.cookie) is untouched.
# One such cluster per machine: the ports are fixed, and `start` stops whatever an
# earlier run left in the cluster dir.
set -euo pipefail

BASE=${STOMPGATE_RMQ_CLUSTER_DIR:-/tmp/stompgate-rmq-cluster}
RMQ_BIN=${STOMPGATE_RMQ_BIN_DIR:-/usr/lib/rabbitmq/bin}
START_TIMEOUT=${STOMPGATE_RMQ_START_TIMEOUT:-120}
STOP_TIMEOUT=${STOMPGATE_RMQ_STOP_TIMEOUT:-30}
LETTERS=(x a b c)
AMQP_PORTS=(0 5681 5682 5683)
DIST_PORTS=(0 25681 25682 25683)
CLI_HOME="$BASE/cli-home"

die() {
  echo "rabbitmq-cluster: ERROR: $*" >&2
  exit 1
}
say() { echo "rabbitmq-cluster: $*"; }

node_name() { echo "stompgate-${LETTERS[$1]}@localhost"; }
node_dir() { echo "$BASE/node-${LETTERS[$1]}"; }

check_index() {
  [[ "${1:-}" =~ ^[123]$ ]] || die "node number must be 1, 2 or 3, was '${1:-}'"
}

[ -x "$RMQ_BIN/rabbitmq-server" ] || die "no $RMQ_BIN/rabbitmq-server: install the rabbitmq-server package \
(Debian/Ubuntu), set STOMPGATE_RMQ_BIN_DIR to the directory of an unpacked RabbitMQ's sbin, or leave the \
cluster tests out with -DexcludedGroups=rabbitmq-cluster"

# rabbitmqctl for node $1 (remaining arguments passed on), with this cluster's
# cookie and without the system's rabbitmq-env.conf; bounded by `timeout`.
ctl() {
  local i=$1
  shift
  HOME="$CLI_HOME" RABBITMQ_CONF_ENV_FILE="$BASE/rabbitmq-env.conf" \
    timeout --kill-after=5 "${STOMPGATE_RMQ_CTL_TIMEOUT:-60}" \
    "$RMQ_BIN/rabbitmqctl" -n "$(node_name "$i")" "$@"
}

# The beam.smp of node $1: the process whose command line carries the node's own
# HOME; the pid recorded at launch is checked first, then every process (a run
# that crashed may have left the node without its pid file).
node_pid() {
  local pid_file pid marker p
  marker="-home $(node_dir "$1")/home "
  pid_file="$(node_dir "$1")/os.pid"
  if [ -f "$pid_file" ]; then
    pid=$(cat "$pid_file")
    if [ -n "$pid" ] && tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | grep -qF -- "$marker"; then
      echo "$pid"
      return 0
    fi
  fi
  # One grep over every command line finds the candidates; each is then checked exactly.
  for p in $(grep -laF -- "$(node_dir "$1")/home" /proc/[0-9]*/cmdline 2>/dev/null); do
    p=${p#/proc/}
    p=${p%/cmdline}
    if tr '\0' ' ' 2>/dev/null < "/proc/$p/cmdline" | grep -qF -- "$marker"; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

is_alive() { node_pid "$1" >/dev/null; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Pids of every process that belongs to this cluster (whatever a crashed
# script left behind): beam.smp carries `-home $BASE/...` on its command line;
# the launcher shells and erl_child_setup are its parent and children.
cluster_pids() {
  local p
  for p in $(grep -laF -- "$BASE/node-" /proc/[0-9]*/cmdline 2>/dev/null); do
    p=${p#/proc/}
    p=${p%/cmdline}
    if tr '\0' ' ' 2>/dev/null < "/proc/$p/cmdline" | grep -qF -- "-home $BASE/node-"; then
      echo "$p"
    fi
  done
  for i in 1 2 3; do
    local f
    f="$(node_dir "$i")/launcher.pid"
    if [ -f "$f" ]; then
      p=$(cat "$f")
      # the launcher shell of this node, not a process that got its pid since
      if tr '\0' '\n' 2>/dev/null < "/proc/$p/environ" | grep -qxF "RABBITMQ_NODENAME=$(node_name "$i")"; then
        echo "$p"
      fi
    fi
  done
}

write_files() {
  local i=$1 dir
  dir=$(node_dir "$i")
  mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
  install -m 0400 "$BASE/cookie" "$dir/home/.erlang.cookie"
  # Plain AMQP on loopback only; no plugins (no management listener to clash with 15672).
  # Erlang terms rather than rabbitmq.conf: a node starts a couple of seconds sooner
  # without the cuttlefish translation, which matters on a small machine.
  cat > "$dir/rabbitmq.config" <<EOF
[{rabbit, [{tcp_listeners, [{"127.0.0.1", ${AMQP_PORTS[$i]}}]}]}].
EOF
}

launch() {
  local i=$1 dir
  dir=$(node_dir "$i")
  write_files "$i"
  rm -f "$dir/pid" "$dir/os.pid"
  (
    cd "$dir"
    export HOME="$dir/home"
    export RABBITMQ_CONF_ENV_FILE="$BASE/rabbitmq-env.conf"
    export RABBITMQ_NODENAME
    RABBITMQ_NODENAME=$(node_name "$i")
    export RABBITMQ_DIST_PORT=${DIST_PORTS[$i]}
    export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.config"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$BASE/enabled_plugins"
    export RABBITMQ_MNESIA_BASE="$dir/mnesia"
    export RABBITMQ_LOG_BASE="$dir/log"
    export RABBITMQ_PID_FILE="$dir/pid"
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    setsid "$RMQ_BIN/rabbitmq-server" >> "$dir/stdout.log" 2>&1 < /dev/null 9>&- &
    echo $! > "$dir/launcher.pid"
  )
}

show_log_tail() {
  local dir
  dir=$(node_dir "$1")
  echo "--- last lines of $dir/stdout.log and $dir/log/*.log:" >&2
  tail -n 15 "$dir/stdout.log" "$dir"/log/*.log 2>/dev/null >&2 || true
}

# Waits until node $1 has booted (its AMQP listener is the last thing to open)
# and rabbitmqctl await_startup agrees; fails by $2 (epoch seconds).
wait_ready() {
  local i=$1 deadline=$2 dir launcher
  dir=$(node_dir "$i")
  launcher=$(cat "$dir/launcher.pid" 2>/dev/null || echo 0)
  while :; do
    if [ ! -f "$dir/os.pid" ] && [ -s "$dir/pid" ]; then
      cp "$dir/pid" "$dir/os.pid"
    fi
    if port_open "${AMQP_PORTS[$i]}" && is_alive "$i"; then
      break
    fi
    if ! kill -0 "$launcher" 2>/dev/null && ! is_alive "$i"; then
      show_log_tail "$i"
      die "node $i ($(node_name "$i")) exited during start-up"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      show_log_tail "$i"
      die "node $i ($(node_name "$i")) did not open AMQP port ${AMQP_PORTS[$i]} within ${START_TIMEOUT}s"
    fi
    sleep 0.5
  done
  local left=$((deadline - $(date +%s)))
  [ "$left" -gt 5 ] || left=5
  STOMPGATE_RMQ_CTL_TIMEOUT=$((left + 10)) ctl "$i" -q await_startup --timeout "$left" >/dev/null \
    || { show_log_tail "$i"; die "node $i ($(node_name "$i")) did not finish booting within ${START_TIMEOUT}s"; }
}

# Stops nodes $@ : SIGTERM (RabbitMQ's graceful stop), SIGKILL after STOP_TIMEOUT.
stop_nodes() {
  local i pids=() deadline
  for i in "$@"; do
    if pid=$(node_pid "$i"); then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  deadline=$(( $(date +%s) + STOP_TIMEOUT ))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "pid $pid did not stop within ${STOP_TIMEOUT}s of SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  for i in "$@"; do
    wait_gone "$i"
  done
}

# Waits (bounded) until node $1's process is gone and its AMQP port closed.
wait_gone() {
  local i=$1 deadline
  deadline=$(( $(date +%s) + 10 ))
  while { is_alive "$i" || port_open "${AMQP_PORTS[$i]}"; } && [ "$(date +%s)" -lt "$deadline" ]; do
    sleep 0.2
  done
  if is_alive "$i" || port_open "${AMQP_PORTS[$i]}"; then
    die "node $i ($(node_name "$i")) still holds port ${AMQP_PORTS[$i]} 10s after it was stopped"
  fi
  rm -f "$(node_dir "$i")/os.pid"
}

lock() {
  mkdir -p "$BASE"
  exec 9> "$BASE/.lock"
  flock -w "$((START_TIMEOUT + 60))" 9 || die "another rabbitmq-cluster.sh held $BASE/.lock for too long"
}

cmd_stop() {
  stop_nodes 1 2 3
  local p leftovers
  leftovers=$(cluster_pids | sort -u)
  for p in $leftovers; do
    say "killing leftover process $p: $(tr '\0' ' ' 2>/dev/null < "/proc/$p/cmdline" 2>/dev/null | cut -c1-100)"
    kill -KILL "$p" 2>/dev/null || true
  done
  for i in 1 2 3; do
    rm -f "$(node_dir "$i")/launcher.pid"
  done
  say "stopped"
}

cmd_start() {
  cmd_stop >/dev/null
  local i port
  for port in "${AMQP_PORTS[@]:1}" "${DIST_PORTS[@]:1}"; do
    if port_open "$port"; then
      die "port $port is already in use by another process ($(ss -ltnpH "sport = :$port" 2>/dev/null | head -1)); the cluster needs 5681-5683 and 25681-25683"
    fi
  done
  rm -rf "$BASE"/node-? "$CLI_HOME" "$BASE/cookie"
  mkdir -p "$CLI_HOME"
  (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$BASE/cookie")
  chmod 0400 "$BASE/cookie"
  install -m 0400 "$BASE/cookie" "$CLI_HOME/.erlang.cookie"
  echo '[].' > "$BASE/enabled_plugins"
  # Replaces /etc/rabbitmq/rabbitmq-env.conf (which names the system node) for these nodes and their CLI.
  echo 'ERL_EPMD_ADDRESS=127.0.0.1' > "$BASE/rabbitmq-env.conf"

  local deadline=$(( $(date +%s) + START_TIMEOUT ))
  for i in 1 2 3; do
    launch "$i"
  done
  for i in 1 2 3; do
    wait_ready "$i" "$deadline"
  done
  for i in 2 3; do
    ctl "$i" -q stop_app >/dev/null || die "rabbitmqctl stop_app on node $i failed"
    ctl "$i" -q join_cluster "$(node_name 1)" >/dev/null || die "node $i could not join $(node_name 1)"
    ctl "$i" -q start_app >/dev/null || die "rabbitmqctl start_app on node $i failed"
  done
  wait_cluster 3 "$deadline"
  say "started: $(node_name 1) 127.0.0.1:5681, $(node_name 2) 127.0.0.1:5682, $(node_name 3) 127.0.0.1:5683 ($BASE)"
}

# Running nodes as node $1 sees them, one per line.
running_nodes() {
  STOMPGATE_RMQ_CTL_TIMEOUT=20 ctl "$1" -q cluster_status --formatter json 2>/dev/null \
    | tr -d ' \n' | sed -n 's/.*"running_nodes":\[\([^]]*\)\].*/\1/p' | tr ',' '\n' | tr -d '"'
}

# Waits until node 1 (or the first node up) sees $1 running nodes; fails by $2.
wait_cluster() {
  local want=$1 deadline=$2 i seen
  while :; do
    for i in 1 2 3; do
      if is_alive "$i"; then
        seen=$(running_nodes "$i" | grep -c . || true)
        [ "$seen" -ge "$want" ] && return 0
        break
      fi
    done
    if [ "$(date +%s)" -ge "$deadline" ]; then
      die "the cluster did not reach $want running nodes within ${START_TIMEOUT}s (seen: ${seen:-none})"
    fi
    sleep 1
  done
}

cmd_status() {
  local i up=0
  for i in 1 2 3; do
    if pid=$(node_pid "$i"); then
      echo "node $i $(node_name "$i") port ${AMQP_PORTS[$i]} up pid $pid"
      up=$((up + 1))
    else
      echo "node $i $(node_name "$i") port ${AMQP_PORTS[$i]} down"
    fi
  done
  for i in 1 2 3; do
    if is_alive "$i"; then
      echo "running nodes seen by node $i: $(running_nodes "$i" | tr '\n' ' ')"
      break
    fi
  done
  [ "$up" -gt 0 ]
}

case "${1:-}" in
  start)
    lock
    cmd_start
    ;;
  stop)
    lock
    cmd_stop
    ;;
  stop-node)
    check_index "${2:-}"
    lock
    stop_nodes "$2"
    say "node $2 ($(node_name "$2")) stopped"
    ;;
  kill-node)
    check_index "${2:-}"
    lock
    if pid=$(node_pid "$2"); then
      kill -KILL "$pid"
    fi
    wait_gone "$2"
    say "node $2 ($(node_name "$2")) killed"
    ;;
  start-node)
    check_index "${2:-}"
    lock
    if is_alive "$2"; then
      say "node $2 ($(node_name "$2")) is already up"
    else
      [ -f "$BASE/cookie" ] || die "no cluster in $BASE: run 'start' first"
      launch "$2"
      wait_ready "$2" $(( $(date +%s) + START_TIMEOUT ))
      say "node $2 ($(node_name "$2")) started"
    fi
    ;;
  status)
    cmd_status
    ;;
  ctl)
    check_index "${2:-}"
    i=$2
    shift 2
    ctl "$i" "$@"
    ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
