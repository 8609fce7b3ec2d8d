# A real 3-node Corosync (knet) + Pacemaker cluster on one machine, for tests. Source it (bash).
#
# Each node is a network namespace with its own PID (own /proc), mount and UTS namespaces
# (private /run, /dev/shm, /etc/corosync, /var/lib/pacemaker, /var/log/pacemaker, /var/lib/qpidd,
# /var/log/qpidd-ha, /etc/qpid, /etc/hosts and an OCF resource directory that adds
# resource.d/qpid/qpidd -> the built agent). The nodes are joined by veth links to a bridge
# living in a fourth namespace; the host's own interfaces are never touched (only empty mount
# points /var/lib/qpidd, /var/log/qpidd-ha and /etc/qpid are created on it when missing). Every
# daemon is started and stopped by PID (never pkill/killall/pcs cluster kill).
#
#   . tests/cluster/lib.bash
#   cluster_up                    # 10-16 s: namespaces, corosync, pacemakerd, all nodes Online
#   on_node 1 crm_mon -1          # run a command inside node 1
#   on_observer ping -c1 "$QPC_VIP"   # run a command on a client host of the nodes' network
#   node_kill 2; node_restart 2   # power cut (link down, every process killed); fresh restart
#   cluster_down                  # by PID; also removes the namespaces and the state directory
#
# Settings (environment, before sourcing):
#   QPC_PREFIX   namespace name prefix, unique per run (default qpc<pid>)
#   QPC_SUBNET   first three octets of the nodes' /24 (default 10.99.7); node N is .N, the
#                client VIP .100, the broker VIP .101, the observer (bridge namespace) .254
#   QPC_NODES    node numbers (default "1 2 3")
#   QPC_TOKEN    corosync token in ms (default 1000; corosync's own default is 3000)
#   QPC_STATE    state directory (default: a new /tmp/qpidd-cluster.XXXXXX)
#   QPC_KEEP=1   keep the state directory (logs) after cluster_down

QPC_SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
QPC_BUILDDIR=${QPIDD_BUILDDIR:-$QPC_SOURCE_DIR}
QPC_PREFIX=${QPC_PREFIX:-qpc$$}
QPC_SUBNET=${QPC_SUBNET:-10.99.7}
QPC_NODES=${QPC_NODES:-"1 2 3"}
QPC_TOKEN=${QPC_TOKEN:-1000}
QPC_VIP=$QPC_SUBNET.100
QPC_BROKER_VIP=$QPC_SUBNET.101
QPC_OBSERVER=$QPC_SUBNET.254
QPC_AGENT=$QPC_BUILDDIR/ocf/qpidd
QPC_QPIDD=${QPIDD:-$QPC_BUILDDIR/src/qpidd/qpidd}
QPC_TOOLS=$QPC_BUILDDIR/src/tools
QPC_BRIDGE_NS=$QPC_PREFIX-br

qpc_ns() { echo "$QPC_PREFIX-n$1"; }
qpc_node_dir() { echo "$QPC_STATE/node$1"; }
qpc_now() { date +%s.%N; }
qpc_since() { awk -v a="$1" -v b="$(qpc_now)" 'BEGIN { printf "%.2f", b - a }'; }
qpc_log() { echo "cluster: $*" >&2; }

# Everything the harness needs, with a message naming what is missing.
cluster_check_prerequisites() {
  local missing=() t
  [ "$(id -u)" -eq 0 ] || { echo "the cluster harness needs root (namespaces, mounts)"; return 1; }
  for t in corosync corosync-keygen corosync-quorumtool pacemakerd cibadmin crm_attribute \
           crm_mon crm_resource pcs ip nsenter unshare setsid ping; do
    command -v "$t" >/dev/null || missing+=("$t")
  done
  [ -d /usr/lib/ocf/resource.d/heartbeat ] || missing+=("resource-agents")
  id hacluster >/dev/null 2>&1 || missing+=("user hacluster")
  if [ ${#missing[@]} -gt 0 ]; then
    echo "missing: ${missing[*]} (run scripts/install-deps as root)"
    return 1
  fi
}

# on_node N cmd...: runs cmd inside node N (its network, mount and UTS namespaces).
on_node() {
  local n=$1; shift
  nsenter -t "$(cat "$(qpc_node_dir "$n")/holder.pid")" -m -n -u -p -- \
    env PATH="$QPC_BUILDDIR/src/qpidd:$QPC_TOOLS:$PATH" "$@"
}

# on_observer cmd...: runs cmd in the bridge namespace, where QPC_OBSERVER stands for a client
# host on the nodes' network (it reaches the VIPs like any other host would).
on_observer() { ip netns exec "$QPC_BRIDGE_NS" "$@"; }

# alive PID: exists and is not a zombie (orphans are reaped late by PID 1).
qpc_alive() {
  [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}
qpc_wait_gone() {  # PID [tenths of a second]
  local i
  for ((i = 0; i < ${2:-300}; i++)); do qpc_alive "$1" || return 0; sleep 0.1; done
  return 1
}

# qpc_wait SECONDS cmd...: retries cmd every 0.2 s until it succeeds or SECONDS pass.
qpc_wait() {
  local deadline
  deadline=$(awk -v n="$(qpc_now)" -v s="$1" 'BEGIN { printf "%d", n + s }'); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# --- network ----------------------------------------------------------------------------------
qpc_net_up() {
  ip netns add "$QPC_BRIDGE_NS"
  ip -n "$QPC_BRIDGE_NS" link set lo up
  ip -n "$QPC_BRIDGE_NS" link add br0 type bridge stp_state 0 forward_delay 0
  ip -n "$QPC_BRIDGE_NS" addr add "$QPC_OBSERVER/24" dev br0
  ip -n "$QPC_BRIDGE_NS" link set br0 up
  local i
  for i in $QPC_NODES; do qpc_net_node_up "$i"; done
}

qpc_net_node_up() {
  local ns; ns=$(qpc_ns "$1")
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # Created from inside the bridge namespace, the peer goes straight into the node as eth0.
  ip -n "$QPC_BRIDGE_NS" link add "vb$1" type veth peer name eth0 netns "$ns"
  ip -n "$QPC_BRIDGE_NS" link set "vb$1" master br0 up
  ip -n "$ns" addr add "$QPC_SUBNET.$1/24" dev eth0
  ip -n "$ns" link set eth0 up
}

# Cuts or restores node N's link, as a power switch would (no fencing in the tests).
node_link() { ip -n "$QPC_BRIDGE_NS" link set "vb$1" "$2"; }

# --- per-node files ---------------------------------------------------------------------------
qpc_write_corosync_conf() {
  local i
  cat <<CONF
totem {
    version: 2
    cluster_name: $QPC_PREFIX
    transport: knet
    crypto_cipher: aes256
    crypto_hash: sha256
    token: $QPC_TOKEN
}
nodelist {
CONF
  for i in $QPC_NODES; do
    printf '    node {\n        name: node%s\n        nodeid: %s\n' "$i" "$i"
    printf '        ring0_addr: %s.%s\n    }\n' "$QPC_SUBNET" "$i"
  done
  cat <<CONF
}
quorum {
    provider: corosync_votequorum
}
logging {
    to_stderr: no
    to_logfile: yes
    logfile: /var/log/corosync/corosync.log
    to_syslog: no
    timestamp: hires
}
CONF
}

qpc_write_hosts() {
  local i
  printf '127.0.0.1 localhost\n'
  for i in $QPC_NODES; do printf '%s.%s node%s\n' "$QPC_SUBNET" "$i" "$i"; done
  printf '%s qpidd-vip\n%s qpidd-broker-vip\n' "$QPC_VIP" "$QPC_BROKER_VIP"
}

# The files every node starts from: knet key, corosync.conf, hosts and a seeded CIB
# (dc-deadtime 2s, or the first DC election waits 20 s; no fencing in the tests; no throttling
# for a load that is the machine's, not the node's).
qpc_write_cluster_files() {
  corosync-keygen -l -k "$QPC_STATE/authkey" >/dev/null
  qpc_write_corosync_conf >"$QPC_STATE/corosync.conf"
  qpc_write_hosts >"$QPC_STATE/hosts"
  cibadmin --empty >"$QPC_STATE/cib.xml"
  CIB_file="$QPC_STATE/cib.xml" crm_attribute --type crm_config --name dc-deadtime --update 2s
  CIB_file="$QPC_STATE/cib.xml" crm_attribute --type crm_config --name stonith-enabled \
    --update false
  # Every node reads the load of the whole machine (three nodes and the tests on its cores):
  # with the default load-threshold (80%) Pacemaker would run one action at a time.
  CIB_file="$QPC_STATE/cib.xml" crm_attribute --type crm_config --name load-threshold \
    --update 10000%
}

# A node's private directories, fresh: a restarted node comes back empty, like a new host.
qpc_node_files() {
  local d; d=$(qpc_node_dir "$1")
  rm -rf "$d"
  mkdir -p "$d"/{etc-corosync,lib-corosync,log-corosync,lib-qpidd,log-qpidd,etc-qpid,ocf}
  install -d -o hacluster -g haclient -m 0770 "$d/log-pacemaker" "$d/log-pacemaker/bundles"
  install -d -o hacluster -g haclient -m 0750 "$d/lib-pacemaker" "$d/lib-pacemaker/cib" \
    "$d/lib-pacemaker/pengine" "$d/lib-pacemaker/blackbox" "$d/lib-pacemaker/cores"
  install -m 0400 "$QPC_STATE/authkey" "$d/etc-corosync/authkey"
  install -m 0644 "$QPC_STATE/corosync.conf" "$d/etc-corosync/corosync.conf"
  install -m 0644 "$QPC_STATE/hosts" "$d/hosts"
  install -o hacluster -g haclient -m 0600 "$QPC_STATE/cib.xml" "$d/lib-pacemaker/cib/cib.xml"
  qpc_ocf_dir "$d/ocf"  # so ocf:qpid:qpidd runs what the tree built
  if [ -f "$QPC_STATE/qpidd.conf" ]; then
    install -m 0644 "$QPC_STATE/qpidd.conf" "$d/etc-qpid/qpidd.conf"
  fi
}

# qpc_ocf_dir DIR: an OCF resource directory in DIR: a mount point per installed provider
# (qpc_ocf_mounts binds the real ones there) plus qpid/qpidd -> the built agent.
qpc_ocf_dir() {
  local p
  for p in /usr/lib/ocf/resource.d/*/; do mkdir -p "$1/$(basename "$p")"; done
  mkdir -p "$1/qpid"
  ln -sfn "$QPC_AGENT" "$1/qpid/qpidd"
}

# qpc_ocf_mounts DIR: the commands (for a private mount namespace) that make DIR, completed with
# the installed providers, appear as /usr/lib/ocf/resource.d, where Pacemaker looks for agents.
qpc_ocf_mounts() {
  local p
  for p in /usr/lib/ocf/resource.d/*/; do
    p=${p%/}
    printf 'mount --bind %q %q; ' "$p" "$1/$(basename "$p")"
  done
  printf 'mount --rbind %q /usr/lib/ocf/resource.d; ' "$1"
}

# with_built_agent cmd...: runs cmd where ocf:qpid:qpidd is the built agent (private mount
# namespace), e.g. pcs, which checks parameters against the agent's meta-data.
with_built_agent() {
  local dir rc
  dir=$(mktemp -d /tmp/qpidd-ocf.XXXXXX)
  qpc_ocf_dir "$dir"
  unshare --mount --propagation private -- /bin/bash -c "$(qpc_ocf_mounts "$dir") exec \"\$@\"" \
    with_built_agent "$@"
  rc=$?
  rm -rf "$dir"
  return $rc
}

# The holder of node N: the init (PID 1) of the node's own PID namespace, in the node's network
# namespace and in private mount and UTS namespaces set up for it, with the node's own /proc.
# Everything else enters the node through its PID. Like separate hosts, a node sees only its
# own processes (the agent looks for its broker in /proc), and SIGKILLing the holder kills every
# process of the node at once. As an init, it reaps the orphans (a broker whose agent exited).
qpc_holder_start() {
  local i=$1 d
  d=$(qpc_node_dir "$i")
  mkdir -p /var/lib/qpidd /var/log/qpidd-ha /etc/qpid  # mount points (empty directories)
  setsid ip netns exec "$(qpc_ns "$i")" \
    unshare --mount --uts --pid --fork --mount-proc --propagation private -- /bin/bash -c "
      set -e
      mount -t tmpfs -o mode=0755 qpc-run /run
      install -d -o hacluster -g haclient -m 0750 /run/crm
      install -d -m 0755 /run/resource-agents /run/lock /run/qpidd
      mount -t tmpfs -o mode=1777 qpc-shm /dev/shm
      mount --bind $d/etc-corosync /etc/corosync
      mount --bind $d/lib-corosync /var/lib/corosync
      mount --bind $d/log-corosync /var/log/corosync
      mount --bind $d/lib-pacemaker /var/lib/pacemaker
      mount --bind $d/log-pacemaker /var/log/pacemaker
      mount --bind $d/lib-qpidd /var/lib/qpidd
      mount --bind $d/log-qpidd /var/log/qpidd-ha
      mount --bind $d/etc-qpid /etc/qpid
      mount --bind $d/hosts /etc/hosts
      $(qpc_ocf_mounts "$d/ocf")
      hostname node$i
      touch $d/ready
      set +e
      trap : CHLD
      while :; do sleep 3600 & wait \$!; done" </dev/null >"$d/holder.out" 2>&1 &
  local unshare_pid=$! t holder
  disown "$unshare_pid"
  for ((t = 0; t < 100; t++)); do
    if [ -f "$d/ready" ]; then
      holder=$(ps -o pid= --ppid "$unshare_pid" | tr -d ' ') || holder=
      [ -n "$holder" ] && { echo "$holder" >"$d/holder.pid"; return 0; }
    fi
    sleep 0.05
  done
  qpc_log "node$i holder failed: $(cat "$d/holder.out")"
  return 1
}

# Starts a daemon inside node N; its PID (as the host sees it) goes to node<N>/<name>.pid.
# nsenter -p forks the daemon (env and setsid exec in place), so it is nsenter's only child.
qpc_daemon_start() {  # N name cmd...
  local i=$1 name=$2 d t nsenter_pid daemon; shift 2
  d=$(qpc_node_dir "$i")
  nsenter -t "$(cat "$d/holder.pid")" -m -n -u -p -- env \
      PATH="$QPC_BUILDDIR/src/qpidd:$QPC_TOOLS:$PATH" \
      PCMK_logfile=/var/log/pacemaker/pacemaker.log PCMK_logfacility=none \
      setsid "$@" </dev/null >"$d/$name.out" 2>&1 &
  nsenter_pid=$!
  disown "$nsenter_pid"
  for ((t = 0; t < 100; t++)); do
    # ps fails while nsenter has no child yet: not an error under set -e and pipefail.
    daemon=$(ps -o pid= --ppid "$nsenter_pid" | tr -d ' ') || daemon=
    [ -n "$daemon" ] && { echo "$daemon" >"$d/$name.pid"; return 0; }
    sleep 0.02
  done
  qpc_log "node$i: $name did not start: $(cat "$d/$name.out")"
  return 1
}

# node_broker_pids N: PIDs of the qpidd brokers running in node N (the built binary; the agent,
# also named qpidd, is not one).
node_broker_pids() {
  local exe p
  exe=$(readlink -f "$QPC_QPIDD")
  for p in $(qpc_node_processes "$1"); do
    if [ "$(readlink -f "/proc/$p/exe" 2>/dev/null)" = "$exe" ]; then echo "$p"; fi
  done
}

# cluster_install_qpidd_conf FILE: every node's /etc/qpid/qpidd.conf, now and after restarts.
cluster_install_qpidd_conf() {
  local i
  install -m 0644 "$1" "$QPC_STATE/qpidd.conf"
  for i in $QPC_NODES; do install -m 0644 "$1" "$(qpc_node_dir "$i")/etc-qpid/qpidd.conf"; done
}

# --- the cluster ------------------------------------------------------------------------------
qpc_online_line() {
  local i line="Online: \\["
  for i in $QPC_NODES; do line+=" node$i"; done
  echo "$line \\]"
}

# cluster_all_online [N]: crm_mon on node N (default: the first node) lists every node Online.
cluster_all_online() {
  local n=${1:-${QPC_NODES%% *}}
  on_node "$n" crm_mon -1 2>/dev/null | grep -q "$(qpc_online_line)"
}

# Starts node N's holder, corosync and pacemakerd (its files must exist).
node_start() {
  qpc_holder_start "$1" || return 1
  qpc_daemon_start "$1" corosync corosync -f
  qpc_daemon_start "$1" pacemakerd pacemakerd
}

cluster_up() {
  local t0 i
  t0=$(qpc_now)
  cluster_check_prerequisites >&2 || return 1
  if [ -z "${QPC_STATE:-}" ]; then QPC_STATE=$(mktemp -d /tmp/qpidd-cluster.XXXXXX); fi
  export QPC_STATE
  echo "$QPC_PREFIX" >"$QPC_STATE/prefix"
  echo "$$" >"$QPC_STATE/owner.pid"  # the shell running the cluster; gone = leftovers
  if [ -e "/run/netns/$QPC_BRIDGE_NS" ]; then
    qpc_log "namespace $QPC_BRIDGE_NS already exists (choose another QPC_PREFIX)"
    return 1
  fi
  qpc_net_up || return 1
  qpc_write_cluster_files || return 1
  for i in $QPC_NODES; do qpc_node_files "$i" && node_start "$i" || return 1; done
  if ! qpc_wait 60 cluster_all_online; then
    qpc_log "not every node Online after 60 s"
    on_node "${QPC_NODES%% *}" crm_mon -1 >&2
    return 1
  fi
  QPC_UP_SECONDS=$(qpc_since "$t0")
  qpc_log "all nodes Online after ${QPC_UP_SECONDS}s (state in $QPC_STATE)"
}

qpc_stop_pidfile() {  # SIGTERMs the PID in FILE if it runs; prints it
  local f=$1 p
  [ -f "$f" ] || return 0
  p=$(cat "$f"); rm -f "$f"
  if [ -n "$p" ] && qpc_alive "$p"; then kill -TERM "$p" && echo "$p"; fi
}

# node_kill N: cuts node N's link and SIGKILLs its init, which kills every process of the node
# (cluster daemons, agents, brokers), as a power cut would. node_restart brings it back fresh.
node_kill() {
  local d pids p
  d=$(qpc_node_dir "$1")
  node_link "$1" down
  pids=$(qpc_node_processes "$1")
  kill -KILL "$(cat "$d/holder.pid")"
  for p in $pids; do qpc_wait_gone "$p" 50 || qpc_log "node$1: PID $p outlived SIGKILL"; done
  rm -f "$d/corosync.pid" "$d/pacemakerd.pid" "$d/holder.pid"
}

# PIDs (as the host sees them) of every process of node N: those in its PID namespace.
qpc_node_processes() {
  local holder ns
  holder=$(cat "$(qpc_node_dir "$1")/holder.pid" 2>/dev/null) || return 0
  ns=$(ps -o pidns= -p "$holder" | tr -d ' ') || return 0  # the holder is gone
  [ -n "$ns" ] && [ "$ns" != - ] || return 0
  ps -e -o pid=,pidns= | awk -v ns="$ns" '$2 == ns { print $1 }'
}

node_restart() {
  local i=$1
  ip -n "$(qpc_ns "$i")" -4 addr flush dev eth0  # the VIPs a dead node still had
  ip -n "$(qpc_ns "$i")" addr add "$QPC_SUBNET.$i/24" dev eth0
  qpc_node_files "$i" && node_link "$i" up && node_start "$i"
}

# Stops the cluster by PID: pacemakerd everywhere (which stops the resources), then corosync,
# then the holders (SIGKILL: any process left in a node dies with its init); then the
# namespaces and (unless QPC_KEEP=1) the state directory are removed. Safe to call twice.
cluster_down() {
  [ -n "${QPC_STATE:-}" ] && [ -d "$QPC_STATE" ] || return 0
  local i p pids
  pids=$(for i in $QPC_NODES; do qpc_stop_pidfile "$(qpc_node_dir "$i")/pacemakerd.pid"; done)
  for p in $pids; do qpc_wait_gone "$p" 600 || kill -KILL "$p" 2>/dev/null; done
  pids=$(for i in $QPC_NODES; do qpc_stop_pidfile "$(qpc_node_dir "$i")/corosync.pid"; done)
  for p in $pids; do qpc_wait_gone "$p" 100 || kill -KILL "$p" 2>/dev/null; done
  for i in $QPC_NODES; do  # the init: what is left of the node goes with it
    if p=$(cat "$(qpc_node_dir "$i")/holder.pid" 2>/dev/null); then
      kill -KILL "$p" 2>/dev/null || true
    fi
    rm -f "$(qpc_node_dir "$i")/holder.pid"
  done
  # Under set -e too: a namespace already gone (a half-started run) is no error.
  for i in $QPC_NODES; do ip netns del "$(qpc_ns "$i")" 2>/dev/null || true; done
  ip netns del "$QPC_BRIDGE_NS" 2>/dev/null || true
  if [ "${QPC_KEEP:-}" = 1 ]; then
    qpc_log "state kept in $QPC_STATE"
  else
    rm -rf "$QPC_STATE"
  fi
  QPC_STATE=
}

# cluster_cleanup_leftovers: removes what a killed run left (its processes, namespaces and state,
# found through the state directories in /tmp whose owner shell is gone), never a live run's.
cluster_cleanup_leftovers() {
  local s prefix
  for s in /tmp/qpidd-cluster.*; do
    if [ ! -f "$s/prefix" ] || [ ! -f "$s/owner.pid" ]; then continue; fi
    qpc_alive "$(cat "$s/owner.pid")" && continue
    prefix=$(cat "$s/prefix")
    # Nothing left running (no namespace, no node init): logs kept on purpose (QPC_KEEP=1).
    if [ ! -e "/run/netns/$prefix-br" ] && ! compgen -G "$s/node*/holder.pid" >/dev/null; then
      continue
    fi
    (QPC_STATE=$s QPC_PREFIX=$prefix QPC_BRIDGE_NS=$prefix-br; cluster_down)
    rm -rf "$s"
  done
}

# cluster_setup_file: a Bats file's setup_file: brings the cluster up for the whole file and
# exports QPC_UP=1, or leaves it unset (each test then skips saying why: not root, packages
# missing) after cleaning up what killed runs left.
cluster_setup_file() {
  [ "$(id -u)" -eq 0 ] || return 0
  cluster_check_prerequisites >/dev/null || return 0
  export QPC_PREFIX
  cluster_cleanup_leftovers
  cluster_up 2>"$BATS_FILE_TMPDIR/up.log" || {
    cat "$BATS_FILE_TMPDIR/up.log" >&3
    cluster_down
    return 1
  }
  echo "# cluster up (3 nodes Online) in ${QPC_UP_SECONDS}s" >&3
  export QPC_UP=1
}

# --- what the cluster shows (for tests and the demo) ---------------------------------------
# not cmd...: succeeds when cmd fails (a bare `! cmd` never fails a Bats test).
not() { if "$@"; then return 1; fi; }

nothing_active() {  # N
  on_node "$1" crm_mon -1 2>/dev/null | grep -q "No active resources"
}

# Node numbers whose crm_mon (asked on node N) shows RSC's clone Promoted.
promoted_nodes() {  # N CLONE
  on_node "$1" crm_resource -r "$2" --locate 2>/dev/null |
    sed -n 's/.* is running on: node\([0-9]*\) Promoted$/\1/p'
}

# Node N's eth0 holds IP (a dead node may still hold it too: no fencing in the tests).
address_on() {  # N IP
  ip -n "$(qpc_ns "$1")" -4 -br addr show dev eth0 2>/dev/null | grep -q " $2/"
}

# Node numbers whose eth0 holds IP.
nodes_with_address() {  # IP
  local i
  for i in $QPC_NODES; do
    if address_on "$i" "$1"; then echo "$i"; fi
  done
  return 0
}

# The cluster seen from node N: every node Online, CLONE with one Promoted and the others
# Unpromoted, VIP started beside it, nothing pending or failed.
settled() {  # N CLONE VIP_RESOURCE
  local out
  out=$(on_node "$1" crm_mon -1 2>/dev/null) || return 1
  grep -q "$(qpc_online_line)" <<<"$out" &&
    [ "$(promoted_nodes "$1" "$2" | wc -l)" -eq 1 ] &&
    grep -qE "Unpromoted: \[ node[0-9] node[0-9] \]" <<<"$out" &&
    grep -qE "$3.*Started node" <<<"$out" &&
    not grep -qiE 'Stopped|FAILED|Starting|Promoting|Demoting|Stopping|Failed Resource' <<<"$out"
}

# Waits until a node other than OLD, asked on node N, is Promoted; prints it.
wait_new_promoted() {  # N CLONE OLD SECONDS
  local deadline=$(($(date +%s) + $4)) p
  while [ "$(date +%s)" -lt "$deadline" ]; do
    p=$(promoted_nodes "$1" "$2")
    if [ -n "$p" ] && [ "$p" != "$3" ]; then echo "$p"; return 0; fi
    sleep 0.1
  done
  return 1
}

wait_address_on() {  # IP NODE SECONDS
  local deadline=$(($(date +%s) + $3))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    [ "$(nodes_with_address "$1")" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

# A node other than N.
other_node() {
  local i
  for i in $QPC_NODES; do [ "$i" != "$1" ] && { echo "$i"; return; }; done
}

# crm_mon and `qpid-ha status --all` agree: the Promoted node's broker is active, the two others
# ready, and nothing else.
brokers_agree() {  # N (the node asking)
  local promoted out
  promoted=$(promoted_nodes "$1" qpidd-clone)
  [ "$(wc -w <<<"$promoted")" -eq 1 ] || return 1
  out=$(on_node "$1" qpid-ha status --all -b "node$1:5672" --timeout 5) || return 1
  [ "$(grep -c ' active$' <<<"$out")" -eq 1 ] &&
    grep -q "^node$promoted:5672 active$" <<<"$out" &&
    [ "$(grep -c ' ready$' <<<"$out")" -eq 2 ] &&
    [ "$(wc -l <<<"$out")" -eq 3 ]
}

# A failed action or a fail count, seen from node N (a planned stop of the primary records none).
failure_recorded() {  # N
  local out
  out=$(on_node "$1" crm_mon -1 --failcounts) || { echo "crm_mon failed on node$1" >&2; return 0; }
  grep -qE 'Failed Resource Actions|fail-count=' <<<"$out" || return 1
  echo "$out" >&2  # what the test failed on
}

# Node N runs a broker that answers as a backup.
backup_on() {  # N
  on_node "$1" qpid-ha status -b "node$1:5672" --timeout 5 2>/dev/null |
    grep -qE '^(joining|catchup|ready)$'
}

no_broker_on() {  # N
  [ -z "$(node_broker_pids "$1")" ]
}

promoted_is() {  # N (asking) TARGET
  [ "$(promoted_nodes "$1" qpidd-clone)" = "$2" ]
}

# The location constraints a move leaves (cli-prefer-*, cli-ban-*).
move_constraint_left() {  # N
  on_node "$1" cibadmin --query --scope constraints | grep -q 'id="cli-'
}

# Numbers the sender saw acknowledged and the receiver never received (ha_client.py output).
acked_not_received() {  # WORK_DIR
  comm -23 <(sed -n 's/^ACK //p' "$1/send.out" | sort -u) \
           <(sed -n 's/^RECV //p' "$1/recv.out" | sort -u) | sort -n
}

nothing_missing() {  # WORK_DIR
  [ -z "$(acked_not_received "$1")" ]
}

count_lines() {  # WORD FILE
  grep -c "^$1 " "$2" || true
}
