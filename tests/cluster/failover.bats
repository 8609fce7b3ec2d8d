#!/usr/bin/env bats
# Failover scenarios of qpidd-ha under ocf:qpid:qpidd on a real 3-node Corosync + Pacemaker
# cluster (tests/cluster/lib.bash), one cluster for the whole file, the resources created by
# pcs-examples/create-resources.sh:
#  1. the primary's node powered off (node_kill) under a sender and a receiver on the VIP: a ready
#     backup promoted, the VIP moved, nothing acknowledged lost; the node back as a ready backup,
#     the primary staying where it is;
#  2. a planned switchover (`pcs resource move-with-constraint --promoted`) under the same clients;
#  3. a backup restarted while the primary holds many messages: in catchup it has no promotion
#     score while the ready backup has one, and when the primary dies then, the ready backup (not
#     the catching-up one) is promoted, holding every message;
#  4. every node powered off, then restarted: the cluster forms again from its configuration, with
#     one primary beside the VIP and two ready backups.
# Needs root and the packages of scripts/install-deps. Timings go to the TAP output (# lines).

load 'lib'

PYTHON=/usr/bin/python3
HA_CLIENT=$BATS_TEST_DIRNAME/../integration/ha_client.py
EXAMPLES=$BATS_TEST_DIRNAME/../../pcs-examples
# Messages on the replicated queue of scenario 3: enough for a joining backup to need several
# seconds of catch-up on a busy 2-core machine (the catch-up is measured and printed).
DEEP_MESSAGES=${QPC_DEEP_MESSAGES:-600000}

setup_file() {
  cluster_setup_file
}

teardown_file() {
  cluster_down
}

# Clients a failed test left running (ours, by PID: the background shell and its children).
teardown() {
  local p c
  for p in ${SENDER:-} ${RECEIVER:-}; do
    qpc_alive "$p" || continue
    for c in $(ps -o pid= --ppid "$p"); do kill -TERM "$c" 2>/dev/null || true; done
    kill -TERM "$p" 2>/dev/null || true
  done
}

note() { echo "# $*" >&3; }

# Skips, saying why, without root, the cluster packages, the built tree or Proton Python.
require_qpidd_cluster() {
  [ "$(id -u)" -eq 0 ] || skip "the cluster tests need root (namespaces, mounts)"
  local why
  why=$(cluster_check_prerequisites) || skip "$why"
  [ -x "$QPC_AGENT" ] || skip "ocf/qpidd (the agent) is not built"
  local t
  for t in "$QPC_QPIDD" "$QPC_TOOLS/qpid-ha" "$QPC_TOOLS/qpid-config" "$QPC_TOOLS/qpid-send"; do
    [ -x "$t" ] || skip "$t is not built"
  done
  "$PYTHON" -c 'import proton' 2>/dev/null || skip "python3-qpid-proton is not installed"
  [ "${QPC_UP:-}" = 1 ]
}


# Work files of the current test (kept with the nodes' logs under QPC_KEEP=1).
work_dir() {
  local d=$QPC_STATE/test$BATS_TEST_NUMBER
  mkdir -p "$d"
  echo "$d"
}

# The qpidd resources (created by the first test that needs them), settled: one Promoted broker
# with the VIP, two ready backups. A node an earlier test left powered off is restarted first.
qpidd_settled() {
  local t0 i
  for i in $QPC_NODES; do
    [ -f "$(qpc_node_dir "$i")/holder.pid" ] || node_restart "$i"
  done
  qpc_wait 60 cluster_all_online
  if ! on_node 1 crm_resource -r qpidd-clone --locate >/dev/null 2>&1; then
    cluster_install_qpidd_conf "$EXAMPLES/qpidd.conf"
    t0=$(qpc_now)
    on_node 1 env VIP="$QPC_VIP" VIP_NIC=eth0 QPIDD_BINARY="$QPC_QPIDD" \
      "$EXAMPLES/create-resources.sh" >"$BATS_TEST_TMPDIR/pcs.out" 2>&1 ||
      { cat "$BATS_TEST_TMPDIR/pcs.out"; false; }
    qpc_wait 120 settled 1 qpidd-clone qpidd-vip
    qpc_wait 60 brokers_agree 1
    note "resources created: Promoted + VIP, backups ready after $(qpc_since "$t0")s"
  fi
  qpc_wait 120 settled 1 qpidd-clone qpidd-vip
  qpc_wait 60 brokers_agree 1
}

acked_at_least() {  # WORK_DIR N
  [ "$(count_lines ACK "$1/send.out")" -ge "$2" ]
}

# stamp OUT: copies its input to OUT, and to OUT.ts with each line prefixed by the time it came.
stamp() {
  tee "$1" | perl -MTime::HiRes=time -ne 'BEGIN { $| = 1 } printf "%.3f %s", time, $_' >"$1.ts"
}

# A sender and a receiver (tests/integration/ha_client.py) on the VIP, from the client host,
# each reconnecting to it; once 50 messages are acknowledged. PIDs in SENDER and RECEIVER.
start_clients() {  # QUEUE WORK_DIR
  local queue=$1 work=$2
  on_observer "$QPC_TOOLS/qpid-config" -b "$QPC_VIP:5672" add queue "$queue"
  HA_CLIENT_LIFETIME=240 on_observer "$PYTHON" "$HA_CLIENT" send "$queue" "$work/stop-sender" \
    "$QPC_VIP:5672" 3>&- > >(stamp "$work/send.out") 2>&1 &
  SENDER=$!
  HA_CLIENT_LIFETIME=240 on_observer "$PYTHON" "$HA_CLIENT" receive "$queue" \
    "$work/stop-receiver" "$QPC_VIP:5672" 3>&- > >(stamp "$work/recv.out") 2>&1 &
  RECEIVER=$!
  qpc_wait 30 acked_at_least "$work" 50
}

# Acknowledgements the sender got once it had lost its connection, at or after time T0.
acked_after_loss() {  # WORK_DIR T0
  awk -v t0="$2" '$1 >= t0 && $2 == "DISCONNECTED" { lost = 1 }
                  lost && $2 == "ACK" { n++ } END { print n + 0 }' "$1/send.out.ts"
}

reacked_at_least() {  # WORK_DIR T0 N
  [ "$(acked_after_loss "$1" "$2")" -ge "$3" ]
}

# The sender's outage (s): from its last acknowledgement before it lost its connection (at or
# after T0) to its first one after.
sender_outage() {  # WORK_DIR T0
  awk -v t0="$2" '$2 == "ACK" && !lost { last = $1 }
                  $1 >= t0 && $2 == "DISCONNECTED" { lost = 1 }
                  lost && $2 == "ACK" { printf "%.2f", $1 - last; exit }' "$1/send.out.ts"
}

# Stops the sender (after its message in flight is accepted), gives the receiver 30 s to drain
# the queue, stops it, and fails if a message acknowledged to the sender was never received.
stop_clients_nothing_lost() {  # WORK_DIR
  local work=$1 missing
  touch "$work/stop-sender"
  wait "$SENDER"
  qpc_wait 10 grep -q '^DONE' "$work/send.out"  # written by stamp, after the client's exit
  qpc_wait 30 nothing_missing "$work" || true
  touch "$work/stop-receiver"
  wait "$RECEIVER"
  qpc_wait 10 grep -q '^DONE' "$work/recv.out"
  missing=$(acked_not_received "$work" | tr '\n' ' ')
  note "$(count_lines ACK "$work/send.out") acknowledged, $(count_lines RECV "$work/recv.out")" \
       "received (duplicates counted); connections: sender $(count_lines CONNECTED \
       "$work/send.out"), receiver $(count_lines CONNECTED "$work/recv.out");" \
       "acknowledged but not received: ${missing:-none}"
  [ -z "$missing" ]
}

# The HA status of node N's broker, asked inside node N ("none" when it does not answer).
ha_status() {  # N
  on_node "$1" qpid-ha status -b "node$1:5672" --timeout 2 2>/dev/null || echo none
}

# Node N's promotion score for the qpidd clone as the CIB holds it, asked on node ASKER
# ("none" when absent).
promotion_score() {  # ASKER N
  local v
  v=$(on_node "$1" crm_attribute --promotion=qpidd -N "node$2" --query --quiet 2>/dev/null) ||
    v=
  echo "${v:-none}"
}

# The message depth of QUEUE on the broker at URL, asked from the client host: the "msg" column
# of `qpid-config queues` (right-aligned under its heading; blank cells come before it).
queue_depth() {  # URL QUEUE
  on_observer "$QPC_TOOLS/qpid-config" -b "$1" --ha-admin queues 2>/dev/null |
    awk -v q="$2" 'NR == 1 { end = index($0, " msg ") + 3 }
                   $1 == q { n = split(substr($0, 1, end), f, " "); print f[n] }'
}

# How long node N's broker was in catchup, from its log: from its last `joining -> catchup` to
# the `catchup -> ready` after it, or to time UNTIL (epoch seconds) if that comes first.
catchup_seconds() {  # N [UNTIL]
  awk -v until="${2:-}" '
    function t(   d, c) {  # the time at the start of the line, in epoch seconds
      split($1, d, "-"); split($2, c, ":")
      return mktime(d[1] " " d[2] " " d[3] " " c[1] " " c[2] " 0") + c[3]
    }
    /HA status joining -> catchup/ { start = t(); end = "" }
    /HA status catchup -> ready/ && start != "" { end = t() }
    END {
      if (start == "") { print "?"; exit }
      if (until != "" && (end == "" || end > until)) end = until
      if (end == "") { print "?"; exit }
      printf "%.1f", end - start
    }' "$(qpc_node_dir "$1")/log-qpidd/qpidd.log"
}

# Pacemaker (asked on node ASKER) runs an instance of the qpidd clone on node N.
runs_on() {  # ASKER N
  on_node "$1" crm_resource -r qpidd-clone --locate 2>/dev/null | grep -q "running on: node$2\b"
}

broker_is() {  # N STATUS
  [ "$(ha_status "$1")" = "$2" ]
}

@test "primary's node powered off under clients: ready backup promoted, nothing acked lost" {
  require_qpidd_cluster
  qpidd_settled
  local old new survivor t0 work
  old=$(promoted_nodes 1 qpidd-clone)
  [ -n "$old" ]
  address_on "$old" "$QPC_VIP"
  survivor=$(other_node "$old")
  work=$(work_dir)
  start_clients fo-power "$work"

  promoted_is "$survivor" "$old"  # still, with the clients on it
  t0=$(qpc_now)
  node_kill "$old"
  new=$(wait_new_promoted "$survivor" qpidd-clone "$old" 60)
  note "node$old powered off: node$new Promoted after $(qpc_since "$t0")s"
  qpc_wait 30 address_on "$new" "$QPC_VIP"
  note "VIP on node$new after $(qpc_since "$t0")s"
  # The sender, on the powered-off primary, loses its connection and is acknowledged again.
  qpc_wait 90 reacked_at_least "$work" "$t0" 50
  note "sender acknowledged again $(qpc_since "$t0")s after the power cut (its outage:" \
       "$(sender_outage "$work" "$t0")s)"
  stop_clients_nothing_lost "$work"

  # Back (empty, like a reinstalled host): a ready backup; the primary does not move back.
  t0=$(qpc_now)
  node_restart "$old"
  qpc_wait 120 settled "$survivor" qpidd-clone qpidd-vip
  qpc_wait 60 brokers_agree "$survivor"
  note "node$old restarted: a ready backup again after $(qpc_since "$t0")s"
  promoted_is "$survivor" "$new"
  [ "$(nodes_with_address "$QPC_VIP")" = "$new" ]
}

@test "planned switchover under clients: move-with-constraint --promoted, nothing acked lost" {
  require_qpidd_cluster
  qpidd_settled
  local old target t0 work
  old=$(promoted_nodes 1 qpidd-clone)
  [ -n "$old" ]
  target=$(other_node "$old")  # a ready backup (qpidd_settled: brokers_agree)
  work=$(work_dir)
  start_clients fo-move "$work"

  t0=$(qpc_now)
  on_node 1 pcs resource move-with-constraint qpidd-clone "node$target" --promoted
  qpc_wait 60 promoted_is 1 "$target"
  note "move-with-constraint node$old -> node$target: Promoted after $(qpc_since "$t0")s"
  wait_address_on "$QPC_VIP" "$target" 30
  note "VIP on node$target after $(qpc_since "$t0")s"
  qpc_wait 60 reacked_at_least "$work" "$t0" 50  # on the new primary
  note "sender acknowledged again $(qpc_since "$t0")s after the move (its outage:" \
       "$(sender_outage "$work" "$t0")s)"
  stop_clients_nothing_lost "$work"
  # A planned demotion is no failure: the old primary's node runs a backup again at once.
  qpc_wait 30 backup_on "$old"
  not failure_recorded 1

  on_node 1 pcs resource clear qpidd-clone
  not move_constraint_left 1
  qpc_wait 120 settled 1 qpidd-clone qpidd-vip
  qpc_wait 60 brokers_agree 1
  promoted_is 1 "$target"  # the old primary's node runs a ready backup
}

@test "a catching-up backup has no promotion score and is not promoted when the primary dies" {
  require_qpidd_cluster
  qpidd_settled
  local primary catching ready t0 out old_pid pid status score_c score_r new depth
  primary=$(promoted_nodes 1 qpidd-clone)
  [ -n "$primary" ]
  catching=$(other_node "$primary")
  for ready in $QPC_NODES; do
    [ "$ready" != "$primary" ] && [ "$ready" != "$catching" ] && break
  done

  # Many small messages on a replicated queue, through the VIP: what a joining backup must copy.
  on_observer "$QPC_TOOLS/qpid-config" -b "$QPC_VIP:5672" add queue fo-deep --max-queue-size 0
  t0=$(qpc_now)
  out=$(on_observer "$QPC_TOOLS/qpid-send" -b "$QPC_VIP:5672" -a fo-deep -m "$DEEP_MESSAGES" \
        --content-size 16 --capacity 1000 --report-total | tail -n 1)
  note "$DEEP_MESSAGES messages put on fo-deep in $(qpc_since "$t0")s (qpid-send: msgs secs" \
       "tp(m/s) l-p50(ms) l-p99(ms) l-max(ms): $(tr '\t' ' ' <<<"$out"))"
  [ "$(queue_depth "$QPC_SUBNET.$ready:5672" fo-deep)" -eq "$DEEP_MESSAGES" ]  # replicated

  # Restart node$catching's broker: SIGKILL; once Pacemaker has seen it fail (and, with
  # migration-threshold=1, stopped it there), a cleanup makes it start a broker there again.
  old_pid=$(node_broker_pids "$catching")
  [ "$(wc -w <<<"$old_pid")" -eq 1 ]
  t0=$(qpc_now)
  kill -KILL "$old_pid"
  qpc_wait 60 not runs_on 1 "$catching"
  on_node 1 pcs resource cleanup qpidd-clone node="node$catching" >/dev/null 2>&1
  # Until the new broker says it is catching up (or joining, before the catch-up starts).
  local deadline=$(($(date +%s) + 60)) seen='' last='' recleanup=$(($(date +%s) + 15))
  while :; do
    pid=$(node_broker_pids "$catching")
    status=gone
    if [ -z "$pid" ] && [ "$(date +%s)" -ge "$recleanup" ]; then
      # A cleanup that raced the failure's own transition can be undone by it: once more.
      note "no broker on node$catching 15s after the cleanup: $(on_node 1 crm_mon -1 -f 2>&1 |
            grep -E 'qpidd|fail' | tr '\n' ';')"
      on_node 1 pcs resource cleanup qpidd-clone node="node$catching" >/dev/null 2>&1
      recleanup=$((recleanup + 15))
    fi
    if [ -n "$pid" ] && [ "$pid" != "$old_pid" ]; then status=$(ha_status "$catching"); fi
    [ "$status" = "$last" ] || seen+=" $status@$(qpc_since "$t0")s"
    last=$status
    [ "$status" = catchup ] && break
    [ "$status" = ready ] && { note "node$catching ready before catchup was seen:$seen"; false; }
    [ "$(date +%s)" -lt "$deadline" ] || { note "node$catching:$seen"; false; }
    sleep 0.1
  done
  note "node$catching's broker SIGKILLed and restarted; its HA status:$seen"
  score_c=$(promotion_score 1 "$catching")
  score_r=$(promotion_score 1 "$ready")
  note "promotion scores while node$catching catches up: node$catching $score_c," \
       "node$ready $score_r, node$primary (primary) $(promotion_score 1 "$primary")"
  [ "$score_c" = none ] || [ "$score_c" -le 0 ]
  [ "$score_r" != none ] && [ "$score_r" -gt 0 ]

  # The primary dies while node$catching still catches up: node$ready must take over.
  local kill_t0
  kill_t0=$(qpc_now)
  kill -KILL "$(node_broker_pids "$primary")"
  status=$(ha_status "$catching")
  note "primary broker on node$primary killed; node$catching is then $status"
  # Only the primary makes a backup ready: not ready now, it was still catching up at the kill.
  [ "$status" != ready ]
  new=$(wait_new_promoted "$ready" qpidd-clone "$primary" 60)
  note "node$new Promoted $(qpc_since "$kill_t0")s after the kill"
  [ "$new" = "$ready" ]
  wait_address_on "$QPC_VIP" "$ready" 30
  depth=$(queue_depth "$QPC_VIP:5672" fo-deep)
  note "fo-deep on the new primary holds $depth messages"
  [ "$depth" -eq "$DEEP_MESSAGES" ]

  note "node$catching had been in catchup for $(catchup_seconds "$catching" "$kill_t0")s" \
       "when the primary was killed (its log)"

  # node$catching completes its catch-up from the new primary; node$primary, cleaned up, starts
  # a new backup that copies everything (the catch-up time this scenario is sized by).
  t0=$(qpc_now)
  qpc_wait 180 broker_is "$catching" ready
  note "node$catching ready (caught up from node$ready) after $(qpc_since "$t0")s"
  t0=$(qpc_now)
  on_node "$ready" pcs resource cleanup qpidd-clone node="node$primary" >/dev/null 2>&1
  qpc_wait 180 settled "$ready" qpidd-clone qpidd-vip
  qpc_wait 120 brokers_agree "$ready"
  note "node$primary back as a ready backup after $(qpc_since "$t0")s, its catch-up of" \
       "$DEEP_MESSAGES messages: $(catchup_seconds "$primary")s (its log)"
  promoted_is "$ready" "$ready"
  on_observer "$QPC_TOOLS/qpid-config" -b "$QPC_VIP:5672" del queue fo-deep --force
}

@test "every node powered off and restarted: one primary with the VIP, two ready backups" {
  require_qpidd_cluster
  qpidd_settled
  local i t0 seed=$BATS_TEST_TMPDIR/seed-cib.xml p
  # A power cut keeps each node's CIB on disk; node_restart starts a node from $QPC_STATE/cib.xml,
  # so that file carries the cluster's configuration (status dropped) for this restart.
  cp "$QPC_STATE/cib.xml" "$seed"
  on_node 1 cibadmin --query --local |
    "$PYTHON" -c 'import sys, xml.etree.ElementTree as E
cib = E.fromstring(sys.stdin.read())
cib.find("status").clear()
sys.stdout.write(E.tostring(cib, encoding="unicode"))' >"$BATS_TEST_TMPDIR/cib.xml"
  grep -q 'id="qpidd-clone"' "$BATS_TEST_TMPDIR/cib.xml"
  install -m 0600 "$BATS_TEST_TMPDIR/cib.xml" "$QPC_STATE/cib.xml"

  for i in $QPC_NODES; do node_kill "$i"; done
  t0=$(qpc_now)
  for i in $QPC_NODES; do node_restart "$i"; done
  install -m 0600 "$seed" "$QPC_STATE/cib.xml"
  qpc_wait 60 cluster_all_online
  note "all nodes powered off and restarted: Online after $(qpc_since "$t0")s"
  qpc_wait 150 settled 1 qpidd-clone qpidd-vip
  qpc_wait 60 brokers_agree 1
  p=$(promoted_nodes 1 qpidd-clone)
  note "cold start: node$p Promoted with the VIP, backups ready $(qpc_since "$t0")s after" \
       "the restart"
  [ "$(nodes_with_address "$QPC_VIP")" = "$p" ]
  [ "$(on_observer "$QPC_TOOLS/qpid-ha" status -b "$QPC_VIP:5672")" = active ]
}
