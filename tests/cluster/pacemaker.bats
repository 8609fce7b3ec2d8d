#!/usr/bin/env bats
# A real 3-node Corosync + Pacemaker cluster (tests/cluster/lib.bash), one for the whole file:
#  - the harness itself, with Pacemaker's own ocf:pacemaker:Stateful promotable clone and an
#    IPaddr2 VIP: one Promoted instance with the VIP on its node; the Promoted node killed (its
#    link cut and every process SIGKILLed, as a power cut) -> another node Promoted and the VIP
#    moved, answering pings from a client host; the node restarted and back as Unpromoted;
#  - qpidd-ha under ocf:qpid:qpidd, configured by pcs-examples/: cold start -> one Promoted
#    broker and two ready backups (crm_mon and `qpid-ha status --all` agree); the primary
#    broker SIGKILLed -> a ready backup promoted, the VIP moved, and a Proton client on the VIP
#    lost no acknowledged message. Skipped, saying so, while ocf/qpidd is not built;
#  - pcs without pcsd on those brokers: `pcs node standby`/`unstandby` of the primary's node,
#    `pcs resource move-with-constraint --promoted` and `pcs resource clear`.
# Needs root and the packages of scripts/install-deps. Timings go to the TAP output (# lines).

load 'lib'

PYTHON=/usr/bin/python3
HA_CLIENT=$BATS_TEST_DIRNAME/../integration/ha_client.py
EXAMPLES=$BATS_TEST_DIRNAME/../../pcs-examples

setup_file() {
  cluster_setup_file
}

teardown_file() {
  cluster_down
}

require_cluster() {
  [ "$(id -u)" -eq 0 ] || skip "the cluster tests need root (namespaces, mounts)"
  local why
  why=$(cluster_check_prerequisites) || skip "$why"
  [ "${QPC_UP:-}" = 1 ]
}

note() { echo "# $*" >&3; }

kill_and_restart_promoted() {  # CLONE VIP_RESOURCE VIP: kills the Promoted node, checks, revives
  local clone=$1 vip_rsc=$2 vip=$3 old survivor new t0
  old=$(promoted_nodes 1 "$clone")
  [ -n "$old" ]
  survivor=$(other_node "$old")
  t0=$(qpc_now)
  node_kill "$old"
  new=$(wait_new_promoted "$survivor" "$clone" "$old" 60)
  note "node$old killed: node$new Promoted after $(qpc_since "$t0")s"
  # The dead node still holds the VIP on its (cut) link: no fencing here. Only survivors count.
  local deadline=$(($(date +%s) + 30))
  until address_on "$new" "$vip"; do
    [ "$(date +%s)" -lt "$deadline" ]
    sleep 0.1
  done
  note "VIP on node$new after $(qpc_since "$t0")s"
  on_observer ping -c 1 -w 15 "$vip" >/dev/null
  t0=$(qpc_now)
  node_restart "$old"
  qpc_wait 90 settled "$survivor" "$clone" "$vip_rsc"
  note "node$old restarted and back Unpromoted after $(qpc_since "$t0")s"
  [ "$(promoted_nodes "$survivor" "$clone")" = "$new" ]  # stays where it is
}

@test "harness: Stateful promotable clone + IPaddr2 VIP; Promoted node killed, VIP moves" {
  require_cluster
  local t0 p
  t0=$(qpc_now)
  on_node 1 pcs resource create stf ocf:pacemaker:Stateful \
      op monitor interval=1s role=Promoted timeout=10s \
      op monitor interval=2s role=Unpromoted timeout=10s \
      meta migration-threshold=1 \
      promotable promoted-max=1 promoted-node-max=1 clone-max=3 clone-node-max=1 notify=true
  on_node 1 pcs resource create stf-vip ocf:heartbeat:IPaddr2 ip="$QPC_VIP" cidr_netmask=24 \
      nic=eth0 op monitor interval=2s timeout=10s
  on_node 1 pcs constraint colocation add stf-vip with Promoted stf-clone INFINITY
  on_node 1 pcs constraint order promote stf-clone then start stf-vip
  qpc_wait 60 settled 1 stf-clone stf-vip
  note "Stateful Promoted + VIP $(qpc_since "$t0")s after the first pcs call"
  p=$(promoted_nodes 1 stf-clone)
  [ "$(nodes_with_address "$QPC_VIP")" = "$p" ]
  on_observer ping -c 1 -w 15 "$QPC_VIP" >/dev/null

  kill_and_restart_promoted stf-clone stf-vip "$QPC_VIP"

  on_node 1 pcs resource delete stf-vip
  on_node 1 pcs resource delete stf
  qpc_wait 60 nothing_active 1
}

@test "qpidd under ocf:qpid:qpidd: one primary, backups ready; primary killed, nothing acked lost" {
  require_cluster
  [ -x "$QPC_AGENT" ] || skip "ocf/qpidd (the agent) is not built"
  [ -x "$QPC_QPIDD" ] && [ -x "$QPC_TOOLS/qpid-ha" ] && [ -x "$QPC_TOOLS/qpid-config" ] ||
    skip "qpidd, qpid-ha or qpid-config is not built"
  "$PYTHON" -c 'import proton' 2>/dev/null || skip "python3-qpid-proton is not installed"
  local t0 p old new survivor work=$BATS_TEST_TMPDIR
  cluster_install_qpidd_conf "$EXAMPLES/qpidd.conf"
  t0=$(qpc_now)
  on_node 1 env VIP="$QPC_VIP" VIP_NIC=eth0 QPIDD_BINARY="$QPC_QPIDD" \
    "$EXAMPLES/create-resources.sh" >"$work/pcs.out" 2>&1 || { cat "$work/pcs.out"; false; }
  qpc_wait 120 settled 1 qpidd-clone qpidd-vip
  qpc_wait 60 brokers_agree 1
  note "qpidd cold start: Promoted + VIP, backups ready $(qpc_since "$t0")s after create-resources"
  on_node 1 qpid-ha status --all -b node1:5672 | sed 's/^/# /' >&3
  old=$(promoted_nodes 1 qpidd-clone)
  [ "$(nodes_with_address "$QPC_VIP")" = "$old" ]

  # A sender and a receiver on the VIP, from a client host, each reconnecting to it.
  on_observer "$QPC_TOOLS/qpid-config" -b "$QPC_VIP:5672" add queue pcmk-q
  HA_CLIENT_LIFETIME=240 on_observer "$PYTHON" "$HA_CLIENT" send pcmk-q "$work/stop-sender" \
    "$QPC_VIP:5672" >"$work/send.out" 2>&1 &
  local sender=$!
  HA_CLIENT_LIFETIME=240 on_observer "$PYTHON" "$HA_CLIENT" receive pcmk-q "$work/stop-receiver" \
    "$QPC_VIP:5672" >"$work/recv.out" 2>&1 &
  local receiver=$!
  qpc_wait 30 sh -c "[ \$(grep -c '^ACK ' '$work/send.out') -ge 50 ]"

  survivor=$(other_node "$old")
  p=$(node_broker_pids "$old")
  [ "$(wc -w <<<"$p")" -eq 1 ]
  local acked_before
  acked_before=$(count_lines ACK "$work/send.out")
  t0=$(qpc_now)
  kill -KILL "$p"
  new=$(wait_new_promoted "$survivor" qpidd-clone "$old" 60)
  note "primary broker on node$old killed: node$new Promoted after $(qpc_since "$t0")s"
  wait_address_on "$QPC_VIP" "$new" 30
  note "VIP on node$new after $(qpc_since "$t0")s"
  qpc_wait 60 sh -c "[ \$(grep -c '^ACK ' '$work/send.out') -ge $((acked_before + 50)) ]"
  note "sender acknowledged again $(qpc_since "$t0")s after the kill"

  # The sender stops first (after its message in flight is accepted); the receiver gets 30 s to
  # drain the queue before it stops too.
  touch "$work/stop-sender"
  wait "$sender"
  qpc_wait 30 nothing_missing "$work" || true
  touch "$work/stop-receiver"
  wait "$receiver"
  local missing
  missing=$(acked_not_received "$work" | tr '\n' ' ')
  note "$(count_lines ACK "$work/send.out") acknowledged, $(count_lines RECV "$work/recv.out")" \
       "received (duplicates counted); acknowledged but not received: ${missing:-none}"
  [ -z "$missing" ]

  # The failed node runs a backup again once its failure is cleaned up; the primary stays.
  on_node "$survivor" pcs resource cleanup qpidd-clone node="node$old" >/dev/null
  qpc_wait 120 settled "$survivor" qpidd-clone qpidd-vip
  qpc_wait 60 brokers_agree "$survivor"
  [ "$(promoted_nodes "$survivor" qpidd-clone)" = "$new" ]
}

@test "pcs without pcsd: standby of the primary's node and move-with-constraint move the primary" {
  require_cluster
  on_node 1 crm_resource -r qpidd-clone --locate >/dev/null 2>&1 ||
    skip "needs the qpidd resources of the previous test"
  qpc_wait 120 settled 1 qpidd-clone qpidd-vip
  local old new target t0
  old=$(promoted_nodes 1 qpidd-clone)

  # Standby: the primary's broker stops there, a ready backup is promoted, the VIP follows.
  t0=$(qpc_now)
  on_node 1 pcs node standby "node$old"
  new=$(wait_new_promoted 1 qpidd-clone "$old" 60)
  wait_address_on "$QPC_VIP" "$new" 30
  note "standby node$old: node$new Promoted, VIP moved after $(qpc_since "$t0")s"
  qpc_wait 60 no_broker_on "$old"
  not failure_recorded 1  # a planned stop of the primary is no failure
  on_node 1 pcs node unstandby "node$old"
  qpc_wait 120 settled 1 qpidd-clone qpidd-vip
  qpc_wait 60 brokers_agree 1
  [ "$(promoted_nodes 1 qpidd-clone)" = "$new" ]  # the returning node runs a backup

  # Move the primary to a chosen ready backup, then remove the constraint the move left.
  target=$old
  t0=$(qpc_now)
  on_node 1 pcs resource move-with-constraint qpidd-clone "node$target" --promoted
  qpc_wait 60 promoted_is 1 "$target"
  wait_address_on "$QPC_VIP" "$target" 30
  note "move-with-constraint to node$target: Promoted, VIP moved after $(qpc_since "$t0")s"
  qpc_wait 30 backup_on "$new"
  not failure_recorded 1
  on_node 1 pcs resource clear qpidd-clone
  not move_constraint_left 1
  qpc_wait 120 settled 1 qpidd-clone qpidd-vip
  qpc_wait 60 brokers_agree 1
  [ "$(promoted_nodes 1 qpidd-clone)" = "$target" ]
}

# The broker PIDs of every node, "N:PID" sorted.
all_broker_pids() {
  local i
  for i in $QPC_NODES; do echo "$i:$(node_broker_pids "$i" | tr '\n' ' ')"; done
}

# Nodes whose cluster log shows the agent's reload-agent.
reloaded() {
  local i
  for i in $QPC_NODES; do
    on_node "$i" grep -q "reload-agent: new values of" /var/log/pacemaker/pacemaker.log &&
      echo "$i"
  done | grep .
}

@test "a reloadable parameter changed with pcs: reload-agent, no broker restarted" {
  require_cluster
  on_node 1 crm_resource -r qpidd-clone --locate >/dev/null 2>&1 ||
    skip "needs the qpidd resources of the previous tests"
  qpc_wait 120 settled 1 qpidd-clone qpidd-vip
  qpc_wait 60 brokers_agree 1
  local before after
  before=$(all_broker_pids)
  on_node 1 pcs resource update qpidd extra_options="--link-heartbeat-interval 3"
  # Pacemaker runs reload-agent (on the instances whose last start or promotion had other
  # parameters), and restarts nothing.
  qpc_wait 60 reloaded
  qpc_wait 60 settled 1 qpidd-clone qpidd-vip
  after=$(all_broker_pids)
  [ "$before" = "$after" ]
  note "pcs resource update extra_options: reload-agent on node(s) $(reloaded)," \
       "every broker still the same process"
  on_node 1 pcs resource update qpidd extra_options=
}
